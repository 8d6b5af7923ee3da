package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// errorBody is the JSON body of every error answer, as OGC API exceptions.
type errorBody struct {
	Code        string       `json:"code"`
	Description string       `json:"description"`
	Parameter   string       `json:"parameter,omitempty"`
	Problems    geo.Problems `json:"problems,omitempty"`
}

// statusOf maps each geo error code to its HTTP status, in one place.
var statusOf = map[string]int{
	geo.EInvalid:       http.StatusBadRequest,
	geo.ENotFound:      http.StatusNotFound,
	geo.ETooLarge:      http.StatusRequestEntityTooLarge,
	geo.EUnavailable:   http.StatusServiceUnavailable,
	geo.EUnauthorized:  http.StatusUnauthorized,
	geo.EForbidden:     http.StatusForbidden,
	geo.EConflict:      http.StatusPreconditionFailed,
	geo.EExists:        http.StatusConflict,
	geo.EUnprocessable: http.StatusUnprocessableEntity,
	geo.EInternal:      http.StatusInternalServerError,
}

// codeOf names each status in the body, as OGC API exception codes.
var codeOf = map[int]string{
	http.StatusBadRequest:            "InvalidParameterValue",
	http.StatusNotFound:              "NotFound",
	http.StatusMethodNotAllowed:      "MethodNotAllowed",
	http.StatusNotAcceptable:         "NotAcceptable",
	http.StatusRequestEntityTooLarge: "PayloadTooLarge",
	http.StatusTooManyRequests:       "TooManyRequests",
	http.StatusServiceUnavailable:    "ServiceUnavailable",
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusForbidden:             "Forbidden",
	http.StatusPreconditionFailed:    "PreconditionFailed",
	http.StatusConflict:              "Conflict",
	http.StatusUnprocessableEntity:   "UnprocessableEntity",
	http.StatusInternalServerError:   "InternalError",
}

// handleError answers every failed request: users get a status and a message
// naming what was wrong; operators get the cause in the log. Echo's own
// errors (unknown route, wrong method) keep their status.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Warn("error after response started", "err", err, "path", c.Path(), "id", requestID(c))
		return
	}
	body, status := s.describe(err)
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	// The client gets our description; the cause (the database's own
	// words, a panic) goes to the log, under the request id the client
	// also got.
	cause := causeOf(err)
	switch {
	case status >= 500:
		s.log.Error("request failed", "err", err, "cause", cause, "status", status, "path", c.Request().URL.Path, "id", requestID(c))
	case cause != nil:
		s.log.Warn("request refused", "err", err, "cause", cause, "status", status, "path", c.Request().URL.Path, "id", requestID(c))
	}
	c.Response().Header().Del("ETag")
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status) // the client is gone: nothing more to tell it
		return
	}
	_ = c.JSON(status, body) // the client is gone: nothing more to tell it
}

func (s *Server) describe(err error) (errorBody, int) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		return errorBody{Code: codeFor(he.Code), Description: msg}, he.Code
	}
	var ve *validationError
	if errors.As(err, &ve) {
		return errorBody{Code: codeFor(http.StatusUnprocessableEntity), Description: ve.Error(), Problems: ve.problems}, http.StatusUnprocessableEntity
	}
	var ps geo.Problems
	if errors.As(err, &ps) {
		return errorBody{Code: codeFor(http.StatusBadRequest), Description: ps.Error(), Problems: ps}, http.StatusBadRequest
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errorBody{Code: codeFor(http.StatusServiceUnavailable), Description: "the request took too long"}, http.StatusServiceUnavailable
	}
	var ge *geo.Error
	if errors.As(err, &ge) {
		status := statusOf[ge.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if status == http.StatusInternalServerError {
			return errorBody{Code: codeFor(status), Description: "internal error"}, status
		}
		return errorBody{Code: codeFor(status), Description: ge.Error(), Parameter: ge.Param}, status
	}
	return errorBody{Code: codeFor(http.StatusInternalServerError), Description: "internal error"}, http.StatusInternalServerError
}

// causeOf returns the underlying cause of a *geo.Error in err's chain, for
// the log; nil when there is none.
func causeOf(err error) error {
	var ge *geo.Error
	if errors.As(err, &ge) {
		return ge.Cause
	}
	return nil
}

func codeFor(status int) string {
	if c, ok := codeOf[status]; ok {
		return c
	}
	return http.StatusText(status)
}
