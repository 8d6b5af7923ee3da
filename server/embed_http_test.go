package server_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// No hostile value on a parameter of the embed gets a 5xx, an error page
// that is not JSON, or into the page unescaped.
func TestEmbedHostileParameters(t *testing.T) {
	a := testapp.Start(t)
	params := []string{"datetime", "bbox", "event_type", "sub_event_type", "country", "admin1", "actor", "min_fatalities",
		"q", "as_of", "filter", "filter-lang", "filter-crs", "lang", "theme", "highlight", "title", "interactive", "slider",
		"undefined_param"}
	for _, route := range []string{"/embed", "/embed.js"} {
		for _, p := range params {
			for _, v := range hostileValues {
				res, body := a.Get(t, route+"?"+url.Values{p: {v}}.Encode())
				switch {
				case res.StatusCode >= 500:
					t.Errorf("%s=%.40q on %s: %d %s", p, v, route, res.StatusCode, body)
				case res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json"):
					t.Errorf("%s=%.40q on %s: %d answered as %s", p, v, route, res.StatusCode, res.Header.Get("Content-Type"))
				case res.StatusCode == 200 && len(v) > 3 && strings.ContainsAny(v, `<>"`) && bytes.Contains(body, []byte(v)):
					t.Errorf("%s=%.40q on %s: the page holds it unescaped", p, v, route)
				}
			}
		}
	}
}
