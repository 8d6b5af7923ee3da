package tiles

import (
	"math"
	"testing"
	"time"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// compiled compiles a cql2-text filter, with a datetime ("" for none), for
// the index.
func compiled(t *testing.T, text, datetime string) memFilter {
	t.Helper()
	f, err := cql2.ParseParams(text, "", "", true, cql2.IncidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	var iv geo.Interval
	if datetime != "" {
		if iv, err = geo.ParseInterval("datetime", datetime); err != nil {
			t.Fatal(err)
		}
	}
	m, ok := compile(geo.Filter{CQL: f, Time: iv})
	if !ok {
		t.Fatalf("%s: not covered", text)
	}
	return m
}

func unixMicro(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

// T_INTERSECTS with literal times narrows the datetime window, and a
// rectangle in S_INTERSECTS becomes boxes: no predicate is left to run.
func TestSpaceAndTimeTermsBecomeWindowAndBoxes(t *testing.T) {
	m := compiled(t, `S_INTERSECTS(geometry, POLYGON((-6 8, 6 8, 6 20, -6 20, -6 8))) AND `+
		`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2016-01-01', '2022-12-31'))`, "2020-01-01/..")
	if m.cql != nil || m.area == nil || !m.area.exact || len(m.area.boxes) != 1 {
		t.Fatalf("want exact boxes and no predicate, got cql %v, area %+v", m.cql != nil, m.area)
	}
	if want := (geo.Window{Start: unixMicro("2020-01-01T00:00:00Z"), End: unixMicro("2023-01-01T00:00:00Z")}); m.window != want {
		t.Errorf("window %+v, want %+v", m.window, want)
	}
	m = compiled(t, `T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('..', TIMESTAMP('2022-03-05T12:00:00Z')))`, "")
	if want := (geo.Window{Start: math.MinInt64, End: unixMicro("2022-03-05T12:00:00Z") + 1}); m.window != want || !m.timeOnly() {
		t.Errorf("window %+v, want %+v alone", m.window, want)
	}
}

// A polygon that is not a rectangle keeps its predicate behind its
// bounding box; other temporal functions stay predicates.
func TestInexactTermsKeepTheirPredicate(t *testing.T) {
	m := compiled(t, `S_INTERSECTS(geometry, POLYGON((-5 11, 2 11, -1 17, -5 11)))`, "")
	if m.area == nil || m.area.exact || m.cql != nil {
		t.Errorf("want a prefiltered predicate, got area %+v", m.area)
	}
	m = compiled(t, `T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2016-01-01', '2022-12-31'))`, "")
	if m.cql == nil || m.window != (geo.Window{Start: math.MinInt64, End: math.MaxInt64}) {
		t.Errorf("T_DURING must stay a predicate")
	}
}
