package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// hostileValues are classic SQL injection and malformed inputs.
var hostileValues = []string{
	"'", `"`, `\`, "%", "_", "'; DROP TABLE incidents; --", `" OR "1"="1`, "1 OR 1=1", "1) OR (1=1",
	"'||(SELECT pg_sleep(5))||'", "$1", "$$", "E'\\x00'", "\x00", "\xff\xfe", "../../etc/passwd",
	"<script>alert(1)</script>", strings.Repeat("A", 6000), "-1", "1e309", "NaN", "2022-13-45", "..",
}

// routesAndParams lists every read route with the parameters it defines.
var routesAndParams = map[string][]string{
	"/collections/incidents/items": {"f", "limit", "offset", "datetime", "bbox", "event_type", "sub_event_type",
		"country", "admin1", "actor", "min_fatalities", "q", "as_of", "status", "sortby", "properties"},
	"/collections/incidents/queryables":          {"f"},
	"/collections/places/items":                  {"f", "limit", "offset", "bbox", "datetime", "country", "kind", "q", "sortby", "properties"},
	"/collections/incidents/items/moura-2022-03": {"f"},
	"/collections/places/items/gossi":            {"f", "datetime"},
	"/collections/incidents":                     {"f"},
	"/collections":                               {"f"},
	"/conformance":                               {"f"},
	"/api":                                       {"f"},
	"/":                                          {"f", "datetime", "bbox", "lang", "theme", "highlight", "q"},
	"/tiles/5/15/14.mvt":                         {"datetime", "bbox", "event_type", "country", "actor", "q", "as_of", "min_fatalities"},
	"/tiles.json":                                {"datetime", "bbox", "event_type", "q"},
	"/changes":                                   {"since", "limit"},
	"/collections/incidents/items/moura-2022-03/revisions": {},
}

// No hostile value on any parameter of any route gets a 5xx or changes data.
func TestHostileParametersNeverReachSQL(t *testing.T) {
	a := testapp.Start(t)
	before := a.Incidents(t, "").NumberMatched
	for route, params := range routesAndParams {
		for _, p := range append(params, "undefined_param") {
			for _, v := range hostileValues {
				path := route + "?" + url.Values{p: {v}}.Encode()
				res, body := a.Get(t, path)
				if res.StatusCode >= 500 {
					t.Errorf("%s=%.40q on %s: %d %s", p, v, route, res.StatusCode, body)
				}
				if res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("%s=%.40q on %s: %d answered as %s", p, v, route, res.StatusCode, res.Header.Get("Content-Type"))
				}
			}
		}
	}
	for _, v := range hostileValues {
		path := "/collections/incidents/items/" + url.PathEscape(v)
		if res, _ := a.Get(t, path); res.StatusCode >= 500 {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	if after := a.Incidents(t, "").NumberMatched; after != before {
		t.Errorf("%d incidents before, %d after", before, after)
	}
}

// Hostile bodies get clear 4xx answers.
func TestHostileBodies(t *testing.T) {
	a := testapp.Start(t)
	editor := a.NewToken(t, "hostile", "editor")
	items := "/collections/incidents/items"
	polygon := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[`)
		for i := 0; i < n; i++ {
			b.WriteString("[-4.1,14.2],")
		}
		b.WriteString(`[-4.1,14.2]]]},"properties":{"title":"x","event_type":"battles"}}`)
		return b.String()
	}
	for name, tt := range map[string]struct {
		body   string
		status int
	}{
		"deep JSON":                     {`{"type":"Feature","properties":` + strings.Repeat("[", 100000), http.StatusBadRequest},
		"invalid UTF-8":                 {"{\"type\":\"Feature\",\"properties\":{\"title\":\"\xff\xfe\"}}", http.StatusBadRequest},
		"a polygon of a million points": {polygon(1000000), http.StatusRequestEntityTooLarge},
		"not JSON at all":               {"<xml/>", http.StatusBadRequest},
		"an array":                      {"[1,2,3]", http.StatusBadRequest},
	} {
		t.Run(name, func(t *testing.T) {
			res, body := a.Do(t, "POST", items, editor, strings.NewReader(tt.body))
			if res.StatusCode/100 != 4 || (tt.status != 0 && res.StatusCode != tt.status && res.StatusCode != http.StatusUnprocessableEntity) {
				t.Errorf("%d %.200s", res.StatusCode, body)
			}
		})
	}
}
