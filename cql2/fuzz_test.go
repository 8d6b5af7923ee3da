package cql2_test

import (
	"errors"
	"testing"

	"incidentmap/cql2"
	"incidentmap/geo"
)

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
}
