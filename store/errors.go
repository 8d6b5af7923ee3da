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
// database cannot be reached, cancels the statement for time or for a
// conflict with recovery on a standby, EInvalid for a
// violated constraint. Other errors keep their cause, wrapped as EInternal by
// the caller's error handling. Context errors pass through unchanged.
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
		case pe.Code.Class() == "08", pe.Code.Class() == "53", pe.Code.Class() == "57":
			// connection exceptions, insufficient resources, operator
			// intervention (shutdown, statement timeout, cancel)
			return &geo.Error{Code: geo.EUnavailable, Message: "the database is unavailable: " + pe.Message}
		case pe.Code.Class() == "40":
			// a standby cancelling a read that conflicts with the WAL it
			// replays, a deadlock: the same request may succeed again
			return &geo.Error{Code: geo.EUnavailable, Message: "the database cancelled the statement: retry"}
		case pe.Code.Class() == "23", pe.Code.Class() == "22":
			// constraint violations and data exceptions
			return &geo.Error{Code: geo.EInvalid, Param: pe.Column, Message: pe.Message}
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "connection refused") ||
		errors.Is(err, sql.ErrConnDone) {
		return &geo.Error{Code: geo.EUnavailable, Message: "the database is unavailable"}
	}
	return err
}
