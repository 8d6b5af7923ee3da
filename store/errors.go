package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"

	"incidentmap/geo"
)

// translate turns driver errors into *geo.Error: EUnavailable when the
// database cannot be reached or cancels the statement for time or for a
// conflict with recovery on a standby, EInvalid for a
// violated constraint or a value the database refuses. The message is ours and
// names the column where PostgreSQL says which; PostgreSQL's own text stays in
// the error's Cause, for the log, and never reaches a client. Other errors keep
// their cause, wrapped as EInternal by the caller's error handling. Context
// errors pass through unchanged.
func translate(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ge *geo.Error
	if errors.As(err, &ge) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "57014": // query_canceled: the statement timeout
			return &geo.Error{Code: geo.EUnavailable, Message: "the database took too long to answer", Cause: err}
		case pe.Code.Class() == "08", pe.Code.Class() == "53", pe.Code.Class() == "57":
			// connection exceptions, insufficient resources, operator
			// intervention (shutdown, cancel)
			return &geo.Error{Code: geo.EUnavailable, Message: "the database is unavailable", Cause: err}
		case pe.Code.Class() == "40":
			// a standby cancelling a read that conflicts with the WAL it
			// replays, a deadlock: the same request may succeed again
			return &geo.Error{Code: geo.EUnavailable, Message: "the database cancelled the statement: retry", Cause: err}
		case pe.Code.Class() == "23", pe.Code.Class() == "22":
			// constraint violations and data exceptions
			return &geo.Error{Code: geo.EInvalid, Param: pe.Column, Message: refusal(pe), Cause: err}
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "connection refused") ||
		errors.Is(err, sql.ErrConnDone) {
		return &geo.Error{Code: geo.EUnavailable, Message: "the database is unavailable", Cause: err}
	}
	return err
}

// refusal says in our words why the database refused a value: the class of
// the SQLSTATE, never PostgreSQL's message (which can quote internals).
func refusal(pe *pq.Error) string {
	what := "a value"
	if pe.Column != "" {
		what = "the value"
	}
	switch pe.Code.Name() {
	case "unique_violation":
		return what + " must be unique and already exists"
	case "not_null_violation":
		return what + " is required"
	case "foreign_key_violation":
		return what + " refers to something that does not exist"
	case "check_violation", "exclusion_violation":
		return what + " breaks a rule of the data (for example an interval that ends before it starts)"
	case "numeric_value_out_of_range", "datetime_field_overflow", "interval_field_overflow":
		return what + " is out of range"
	case "string_data_right_truncation":
		return what + " is too long"
	case "character_not_in_repertoire", "untranslatable_character", "null_value_not_allowed",
		"invalid_text_representation", "invalid_datetime_format":
		return what + " is malformed"
	}
	return what + " is not accepted by the database"
}
