package cql2_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// incidentQueryables are the properties of an incident (interface.md).
var incidentQueryables = cql2.Queryables{
	"id": cql2.String, "title": cql2.String, "location": cql2.String, "country": cql2.String,
	"admin1": cql2.String, "admin2": cql2.String, "event_type": cql2.String, "sub_event_type": cql2.String,
	"starts_at": cql2.Timestamp, "ends_at": cql2.Timestamp, "date_precision": cql2.String,
	"geo_precision": cql2.String, "fatalities_low": cql2.Integer, "fatalities_best": cql2.Integer,
	"fatalities_high": cql2.Integer, "actors": cql2.StringArray, "status": cql2.String,
	"updated_at": cql2.Timestamp, "geometry": cql2.Geometry,
}

func TestParseBuildsTheTree(t *testing.T) {
	q := cql2.Queryables{"a": cql2.Integer, "b": cql2.Integer, "c": cql2.Number, "s": cql2.String,
		"t": cql2.Timestamp, "g": cql2.Geometry}
	for _, c := range []struct{ filter, want string }{
		{`a = 1 OR b = 2 AND c = 3`, `or(=(a,1),and(=(b,2),=(c,3)))`},
		{`NOT a = 1 AND b = 2`, `and(not(=(a,1)),=(b,2))`},
		{`a + 2 * 3 > 4 - -1`, `>(+(a,*(2,3)),-(4,-1))`},
		{`(a + 2) * 3 >= 4 / c`, `>=(*(+(a,2),3),/(4,c))`},
		{`s = 'it''s'`, `=(s,'it''s')`},
		{`"s" IN ('x')`, `in(s,'x')`},
		{`a BETWEEN -1 AND 2.5e1`, `between(a,-1,25)`},
		{`s IS NOT NULL`, `not(isnull(s))`},
		{`t > TIMESTAMP('2024-01-01T12:00:00+02:00')`, `>(t,2024-01-01T10:00:00Z)`},
		{`T_AFTER(t, INTERVAL('2024-01-01', '..'))`, `t_after(t,interval(2024-01-01T00:00:00Z,..))`},
		{`s_within(g, envelope(10, 20, 50, 40))`, `s_within(g,POLYGON((10 40,20 40,20 50,10 50,10 40)))`},
		{`S_INTERSECTS(g, BBOX(170, -10, -170, 10))`,
			`s_intersects(g,MULTIPOLYGON(((170 -10,180 -10,180 10,170 10,170 -10)),((-180 -10,-170 -10,-170 10,-180 10,-180 -10))))`},
		{`S_INTERSECTS(g, MULTIPOINT(1 2, 3 4))`, `s_intersects(g,MULTIPOINT((1 2),(3 4)))`},
		{`true AND NOT false`, `and(true,not(false))`},
	} {
		e, err := cql2.Parse(c.filter, "", q)
		if err != nil {
			t.Errorf("%s: %v", c.filter, err)
			continue
		}
		if got := prefix(e); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.filter, got, c.want)
		}
	}
}

// TestParseRefuses holds every refusal to an EInvalid error on the right
// parameter whose message names the problem.
func TestParseRefuses(t *testing.T) {
	long := "title = '" + strings.Repeat("x", cql2.MaxLength) + "'"
	deep := strings.Repeat("(", 200) + "fatalities_best = 1" + strings.Repeat(")", 200)
	deepNot := strings.Repeat("NOT ", 40) + "fatalities_best = 1"
	deepJSON := strings.Repeat(`{"op":"not","args":[`, 40) + `{"op":"=","args":[{"property":"id"},"x"]}` + strings.Repeat("]}", 40)
	deepArith := "fatalities_best = 1" + strings.Repeat(" + 1", 40)
	manyIn := "country IN ('" + strings.Repeat("AA','", cql2.MaxInItems) + "AA')"
	for _, c := range []struct {
		filter, lang, param, want string
	}{
		{long, "", "filter", "at most 8192"},
		{"  ", "", "filter", "is empty"},
		{`id = 'x'`, "cql2-xml", "filter-lang", `unknown language "cql2-xml"`},
		{`colour = 'red'`, "", "filter", `unknown property "colour" at offset 0; queryables: /collections/incidents/queryables`},
		{`id = 'x' AND colour = 'red'`, "", "filter", `unknown property "colour" at offset 13`},
		{`{"op":"=","args":[{"property":"colour"},"red"]}`, "cql2-json", "filter", `unknown property "colour" at $.args[0]`},
		{`title = 3`, "", "filter", `cannot compare a string property "title" with an integer`},
		{`fatalities_best = 'many'`, "", "filter", `cannot compare an integer property "fatalities_best" with a string`},
		{`T_BEFORE(title, DATE('2020-01-01'))`, "", "filter", `T_BEFORE needs instants or intervals, not a string property "title"`},
		{`S_INTERSECTS(starts_at, POINT(1 2))`, "", "filter", `S_INTERSECTS needs geometries`},
		{`S_NEAR(geometry, POINT(1 2))`, "", "filter", `unknown function S_NEAR`},
		{`CASEI(title) = 'x'`, "", "filter", `unknown function CASEI`},
		{`title LIKE 3`, "", "filter", `LIKE needs strings`},
		{`title BETWEEN 'a' AND 'b'`, "", "filter", `BETWEEN needs numbers`},
		{`actors = 'x'`, "", "filter", `cannot compare an array of strings property "actors"`},
		{`fatalities_best + 1`, "", "filter", `is an integer, not a predicate`},
		{`title`, "", "filter", `is a string property "title", not a predicate`},
		{`title = 'x' AND 3`, "", "filter", `AND needs a predicate, not an integer at offset 0`},
		{`title = 'x`, "", "filter", `unterminated string at offset 8`},
		{`title = 'x' ;`, "", "filter", `unexpected character ';' at offset 12`},
		{`title = 'x' 'y'`, "", "filter", `unexpected string "y" at offset 12`},
		{`(title = 'x'`, "", "filter", `expected ")", found the end of the filter at offset 12`},
		{`title = `, "", "filter", `expected a value, found the end of the filter`},
		{`starts_at > DATE('2020-13-01')`, "", "filter", `bad date "2020-13-01"`},
		{`starts_at > TIMESTAMP('yesterday')`, "", "filter", `bad timestamp "yesterday"`},
		{`T_INTERSECTS(starts_at, INTERVAL('2021-01-01', '2020-01-01'))`, "", "filter", `INTERVAL ends before it starts`},
		{`S_INTERSECTS(geometry, POINT(200 0))`, "", "filter", `outside longitude -180..180`},
		{`S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))`, "", "filter", `ring needs at least four points`},
		{`S_INTERSECTS(geometry, LINESTRING(0 0))`, "", "filter", `LINESTRING needs at least two points`},
		{`S_INTERSECTS(geometry, BBOX(0, 10, 1, 5))`, "", "filter", `south (10) north of its north (5)`},
		{`S_INTERSECTS(geometry, BBOX(0, 1, 2))`, "", "filter", `BBOX takes 4 or 6 numbers, not 3`},
		{deep, "", "filter", "nests deeper than 32 levels"},
		{deepNot, "", "filter", "nests deeper than 32 levels"},
		{deepJSON, "cql2-json", "filter", "nests deeper than 32 levels"},
		{deepArith, "", "filter", "nests deeper than 32 levels"},
		{manyIn, "", "filter", "IN has more than 1000 values at offset 11"},
		{`{"op":"=","args":[{"property":"id"}]}`, "cql2-json", "filter", `"=" takes 2 arguments, not 1 at $`},
		{`{"op":"=","args":[{"property":"id"},null]}`, "cql2-json", "filter", `null is not a value at $.args[1]`},
		{`{"op":"="`, "cql2-json", "filter", `is not JSON`},
		{`{"op":"=","args":[]} {}`, "cql2-json", "filter", `text after its JSON value`},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Blob","coordinates":[]}]}`, "cql2-json", "filter", `unknown GeoJSON geometry type "Blob" at $.args[1].type`},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[1]}]}`, "cql2-json", "filter", `a position has 2 or 3 numbers, not 1`},
		{`{"colour":"red"}`, "cql2-json", "filter", `an object needs "op"`},
		{balanced("fatalities_best", "+", "1", cql2.MaxArith+2) + " > 1", "", "filter", "more than 64 arithmetic operators"},
		{"title = 'a\x00b'", "", "filter", `a string must be UTF-8 text without NUL characters at offset 8`},
		{"title = '\xff'", "", "filter", `a string must be UTF-8`},
		{`{"op":"=","args":[{"property":"title"},"a\u0000"]}`, "cql2-json", "filter", `without NUL characters at $.args[1]`},
	} {
		_, err := cql2.Parse(c.filter, c.lang, incidentQueryables)
		var ge *geo.Error
		if !errors.As(err, &ge) {
			t.Errorf("%.60s: err = %v, want a *geo.Error", c.filter, err)
			continue
		}
		if ge.Code != geo.EInvalid || ge.Param != c.param || !strings.Contains(ge.Message, c.want) {
			t.Errorf("%.60s:\n got %s %s: %s\nwant %s %s: ...%s...", c.filter, ge.Code, ge.Param, ge.Message, geo.EInvalid, c.param, c.want)
		}
	}
}

func TestManyVerticesInJSON(t *testing.T) {
	// 8 KB of JSON holds fewer than MaxVertices positions: the JSON limit is
	// the length. A bounded parse of the longest accepted input is the point.
	var b strings.Builder
	b.WriteString(`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"MultiPoint","coordinates":[`)
	for b.Len() < cql2.MaxLength-20 {
		b.WriteString("[1,1],")
	}
	b.WriteString(`[1,1]]}]}`)
	if _, err := cql2.Parse(b.String(), cql2.LangJSON, incidentQueryables); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCRS(t *testing.T) {
	for _, ok := range []string{"", cql2.CRS84} {
		if err := cql2.CheckCRS(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	err := cql2.CheckCRS("http://www.opengis.net/def/crs/EPSG/0/4326")
	var ge *geo.Error
	if !errors.As(err, &ge) || ge.Code != geo.EInvalid || ge.Param != "filter-crs" {
		t.Errorf("EPSG:4326: %v, want EInvalid on filter-crs", err)
	}
}

// FuzzParse holds cql2-text parsing to its promise: any input gives a tree
// or an EInvalid *geo.Error, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`event_type = 'battles' AND fatalities_best >= 10`,
		`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2024-01-01', '..'))`,
		`S_WITHIN(geometry, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0)))`,
		`country IN ('UA', 'SY') OR title LIKE '%strike%' AND NOT admin1 IS NULL`,
		`fatalities_best BETWEEN 1 AND 2 * (fatalities_low + 3)`,
		`S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(1 2), MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))))`,
		`S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, s, cql2.LangText)
	})
}

// FuzzParseJSON is FuzzParse for cql2-json.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"op":"and","args":[{"op":"=","args":[{"property":"event_type"},"battles"]},{"op":">=","args":[{"property":"fatalities_best"},10]}]}`,
		`{"op":"t_during","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["2020-01-01",".."]}]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[1,2,3,4]}]}`,
		`{"op":"in","args":[{"property":"country"},["UA","SY"]]}`,
		`{"op":"s_within","args":[{"property":"geometry"},{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, s, cql2.LangJSON)
	})
}

func checkParse(t *testing.T, s, lang string) {
	e, err := cql2.Parse(s, lang, incidentQueryables)
	if err != nil {
		var ge *geo.Error
		if !errors.As(err, &ge) || ge.Code != geo.EInvalid || ge.Param != "filter" {
			t.Fatalf("%q: %v is not an EInvalid filter error", s, err)
		}
		return
	}
	if e.Type() != cql2.Boolean {
		t.Fatalf("%q: a %s at the root", s, e.Type())
	}
	text := cql2.Text(e)
	again, err := cql2.Parse(text, cql2.LangText, incidentQueryables)
	if err != nil {
		t.Fatalf("%q: its text %q does not parse: %v", s, text, err)
	}
	if !reflect.DeepEqual(again, e) {
		t.Fatalf("%q: its text %q parses to another tree:\n%s\n%s", s, text, dump(e), dump(again))
	}
	if _, _, err := cql2.ToSQL(e, cql2.IncidentColumns, 1); err != nil {
		t.Fatalf("%q: ToSQL: %v", s, err)
	}
	pass, err := cql2.Predicate(e, cql2.IncidentAccessors)
	if err != nil {
		t.Fatalf("%q: Predicate: %v", s, err)
	}
	pass(&fuzzIncident)
}

// fuzzIncident is what the fuzzed predicates run on.
var fuzzIncident = geo.Incident{ID: "a", Title: "Ségou", Country: "ML", Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
	StartsAt: time.Unix(0, 0), EndsAt: time.Unix(86400, 0), Actors: []string{"x"}}

// TestTextReadsBack holds Text to its promise over the filters of the
// back-end tests: Parse(Text(e)) is e.
func TestTextReadsBack(t *testing.T) {
	for _, f := range append(agreementFilters, hostileFilters()...) {
		e, err := cql2.Parse(f, "", incidentQueryables)
		if err != nil {
			t.Fatalf("%.80s: %v", f, err)
		}
		again, err := cql2.Parse(cql2.Text(e), "", incidentQueryables)
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Errorf("%.80s: Text %.200s does not read back: %v", f, cql2.Text(e), err)
		}
	}
	e, err := cql2.Parse(`{"op":"and","args":[{"op":"in","args":[{"property":"country"},["ML","BF"]]},`+
		`{"op":"t_intersects","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["2022-01-01",".."]}]}]}`,
		cql2.LangJSON, incidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	want := `(("country" IN ('ML', 'BF')) AND T_INTERSECTS(INTERVAL("starts_at", "ends_at"), INTERVAL(DATE('2022-01-01'), '..')))`
	if got := cql2.Text(e); got != want {
		t.Errorf("Text:\n got %s\nwant %s", got, want)
	}
}
