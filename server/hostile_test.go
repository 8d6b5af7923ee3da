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
		"country", "admin1", "actor", "min_fatalities", "q", "as_of", "status", "sortby", "properties", "filter",
		"filter-lang", "filter-crs"},
	"/collections/incidents/queryables":          {"f"},
	"/collections/places/items":                  {"f", "limit", "offset", "bbox", "datetime", "country", "kind", "q", "sortby", "properties"},
	"/collections/incidents/items/moura-2022-03": {"f"},
	"/collections/places/items/gossi":            {"f", "datetime"},
	"/collections/incidents":                     {"f"},
	"/collections":                               {"f"},
	"/conformance":                               {"f"},
	"/api":                                       {"f"},
	"/":                                          {"f", "datetime", "bbox", "lang", "theme", "highlight", "order", "q"},
	"/tiles/5/15/14.mvt":                         {"datetime", "bbox", "event_type", "country", "actor", "q", "as_of", "min_fatalities", "filter"},
	"/tiles.json":                                {"datetime", "bbox", "event_type", "q", "filter", "filter-lang"},
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

// hostileFilters are CQL2 filters built to hurt: injections inside
// strings and names, deep nesting, huge geometries and lists, arithmetic
// that overflows or divides by zero, and broken JSON.
var hostileFilters = []struct{ lang, filter string }{
	{"", `title = ''' OR 1=1 --'`},
	{"", `title LIKE '%'';DROP TABLE incidents;--%'`},
	{"", `"title"" OR 1=1 --" = 'x'`},
	{"", `country IN ('ML', $1, 'BF')`},
	{"", `title = E'\\x00'`},
	{"", `fatalities_best / 0 > 1`},
	{"", `fatalities_best * 1e308 * 1e308 > 1`},
	{"", `fatalities_best > 9999999999999999999999999999999999999999`},
	{"", strings.Repeat("NOT ", 5000) + "country = 'ML'"},
	{"", strings.Repeat("(", 3000) + "country = 'ML'" + strings.Repeat(")", 3000)},
	{"", "country IN (" + strings.Repeat("'ML',", 2000) + "'BF')"},
	{"", "S_INTERSECTS(geometry, LINESTRING(" + strings.Repeat("1 1,", 2000) + "1 1))"},
	{"", `S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 0)))`},
	{"", `S_INTERSECTS(geometry, POINT(1e309 0))`},
	{"", `S_WITHIN(geometry, BBOX(10, 10, -10, -10))`},
	{"", `T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2024-01-01', '2023-01-01'))`},
	{"", `starts_at > TIMESTAMP('9999-99-99T99:99:99Z')`},
	{"", `title LIKE '\\\\%'`},
	{"", "title = '\xff\xfe'"},
	{"", "title = 'x\x00y'"},
	{"cql2-json", `{"op":"=","args":[{"property":"title"},"' OR 1=1 --"]}`},
	{"cql2-json", `{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0]]]}]}`},
	{"cql2-json", strings.Repeat(`{"op":"not","args":[`, 3000) + `true` + strings.Repeat(`]}`, 3000)},
	{"cql2-json", strings.Repeat(`{"op":"not","args":[`, 40) + `true` + strings.Repeat(`]}`, 40)},
	{"cql2-json", `{"op":"=","args":[{"property":"fatalities_best"},1e999]}`},
	{"cql2-json", `[[[[[[[[[[[[[[[[[[[[`},
	{"cql2-json", `{"op":"in","args":[{"property":"country"},{"op":"+","args":[1,2]}]}`},
}

// No hostile filter on items (every format), tiles or TileJSON gets a 5xx:
// each is answered, or refused with a 400 that names a filter parameter.
func TestHostileFiltersAreAnsweredOrRefused(t *testing.T) {
	a := testapp.Start(t)
	before := a.Incidents(t, "").NumberMatched
	routes := []string{"/collections/incidents/items", "/collections/incidents/items?f=csv",
		"/collections/incidents/items?f=geojsonseq", "/tiles/5/15/14.mvt", "/tiles/8/126/118.mvt", "/tiles.json",
		"/collections/incidents/tiles/WebMercatorQuad/5/14/15"}
	for _, hf := range hostileFilters {
		for _, route := range routes {
			q := url.Values{"filter": {hf.filter}}
			if hf.lang != "" {
				q.Set("filter-lang", hf.lang)
			}
			sep := "?"
			if strings.Contains(route, "?") {
				sep = "&"
			}
			res, body := a.Get(t, route+sep+q.Encode())
			switch {
			case res.StatusCode >= 500:
				t.Errorf("%.60q on %s: %d %s", hf.filter, route, res.StatusCode, body)
			case res.StatusCode >= 400 && res.StatusCode != http.StatusRequestHeaderFieldsTooLarge && // Go's own limit
				res.StatusCode != http.StatusRequestURITooLong &&
				!strings.Contains(string(body), `"parameter":"filter`):
				t.Errorf("%.60q on %s: %d does not name the filter: %s", hf.filter, route, res.StatusCode, body)
			}
		}
	}
	if after := a.Incidents(t, "").NumberMatched; after != before {
		t.Errorf("%d incidents before, %d after", before, after)
	}
}
