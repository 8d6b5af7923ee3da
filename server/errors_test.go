package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"incidentmap/geo"
)

// Each failure a reader reports becomes one status, in one place: geo
// error codes by statusOf (wrapped or not), a deadline as 503, anything
// else as 500 whose text stays in the log.
func TestErrorsMapToStatuses(t *testing.T) {
	for name, tc := range map[string]struct {
		err         error
		status      int
		code, param string
	}{
		"invalid":         {geo.Invalid("starts_at", "is out of range"), 400, "InvalidParameterValue", "starts_at"},
		"not found":       {geo.NotFound("no incident"), 404, "NotFound", ""},
		"too large":       {&geo.Error{Code: geo.ETooLarge, Param: "body", Message: "too large"}, 413, "PayloadTooLarge", "body"},
		"unavailable":     {&geo.Error{Code: geo.EUnavailable, Message: "the database is down"}, 503, "ServiceUnavailable", ""},
		"unauthorized":    {&geo.Error{Code: geo.EUnauthorized, Message: "unknown token"}, 401, "Unauthorized", ""},
		"forbidden":       {&geo.Error{Code: geo.EForbidden, Message: "wrong scope"}, 403, "Forbidden", ""},
		"conflict":        {&geo.Error{Code: geo.EConflict, Message: "stale"}, 412, "PreconditionFailed", ""},
		"exists":          {&geo.Error{Code: geo.EExists, Param: "id", Message: "exists"}, 409, "Conflict", "id"},
		"unprocessable":   {&geo.Error{Code: geo.EUnprocessable, Param: "location", Message: "no place"}, 422, "UnprocessableEntity", "location"},
		"wrapped":         {fmt.Errorf("reading: %w", geo.NotFound("no incident")), 404, "NotFound", ""},
		"problems":        {geo.Problems{{Field: "ends_at", Message: "is before starts_at"}}, 400, "InvalidParameterValue", ""},
		"a deadline":      {fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "ServiceUnavailable", ""},
		"internal":        {&geo.Error{Code: geo.EInternal, Message: "secret detail"}, 500, "InternalError", ""},
		"an unknown code": {&geo.Error{Code: "sideways", Message: "secret detail"}, 500, "InternalError", ""},
		"a plain error":   {errors.New("secret detail"), 500, "InternalError", ""},
	} {
		t.Run(name, func(t *testing.T) {
			s := New(Config{Incidents: incidentShelf{err: tc.err}, Logger: quietLogger()})
			rec := get(t, s, "/collections/incidents/items/x")
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if rec.Code != tc.status || body.Code != tc.code || body.Parameter != tc.param {
				t.Errorf("%d %+v; want %d %s %q", rec.Code, body, tc.status, tc.code, tc.param)
			}
			if strings.Contains(body.Description, "secret") {
				t.Errorf("a 500 tells its cause: %q", body.Description)
			}
			if retry := rec.Header().Get("Retry-After"); (tc.status == http.StatusServiceUnavailable) != (retry != "") {
				t.Errorf("Retry-After %q with %d", retry, rec.Code)
			}
			if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("ETag") != "" {
				t.Errorf("an error may be cached: %v", rec.Header())
			}
		})
	}
}
