package geo

import (
	"errors"
	"fmt"
)

// Error codes. The server maps each to one HTTP status.
const (
	EInvalid       = "invalid"       // bad input: 400
	ENotFound      = "not_found"     // no such collection or feature: 404
	ETooLarge      = "too_large"     // body or request too large: 413
	EUnavailable   = "unavailable"   // database down or overloaded: 503
	EInternal      = "internal"      // a bug or an unexpected failure: 500
	EUnauthorized  = "unauthorized"  // missing or wrong token: 401
	EForbidden     = "forbidden"     // token lacks the scope: 403
	EConflict      = "conflict"      // stale write: 412
	EExists        = "exists"        // creating what exists already: 409
	EUnprocessable = "unprocessable" // well-formed but semantically wrong: 422
)

// Error is a failure users can act on. Param names the offending parameter or
// field when there is one; Message says what is wrong with it, in words fit
// for any client. Cause, when set, is the underlying failure (a database
// message, say): for the operator's log, never for the answer.
type Error struct {
	Code    string
	Param   string
	Message string
	Cause   error
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

func (e *Error) Error() string {
	if e.Param == "" {
		return e.Message
	}
	return e.Param + ": " + e.Message
}

// Invalid returns an EInvalid error about one parameter.
func Invalid(param, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Param: param, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENotFound error.
func NotFound(format string, args ...any) *Error {
	return &Error{Code: ENotFound, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}
