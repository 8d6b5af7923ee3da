package cql2_test

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/cql2"
	"incidentmap/geo"
)

func TestCoveredBySummaries(t *testing.T) {
	for _, c := range []struct {
		filter string
		want   bool
	}{
		{`event_type = 'battles' AND country IN ('ML') AND fatalities_best > 3`, true},
		{`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-01-01', '..')) AND S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`, true},
		{`admin1 = 'Mopti'`, false},
		{`fatalities_best > 3 OR fatalities_high > 3`, false},
		{`actors IS NULL`, false},
	} {
		e, err := cql2.Parse(c.filter, "", incidentQueryables)
		if err != nil {
			t.Fatal(err)
		}
		if got := cql2.Covered(e, cql2.SummaryAccessors); got != c.want {
			t.Errorf("%s: Covered = %v, want %v", c.filter, got, c.want)
		}
	}
}

func TestPredicateOnSummaries(t *testing.T) {
	best := 12
	s := &geo.Summary{ID: "a", Title: "Ségou clash", EventType: "battles", Country: "ML",
		Geometry: orb.Point{-6, 13.5}, FatalitiesBest: &best,
		StartsAt: time.Date(2022, 4, 24, 0, 0, 0, 0, time.UTC), EndsAt: time.Date(2022, 4, 25, 0, 0, 0, 0, time.UTC)}
	unknown := &geo.Summary{ID: "b", Country: "BF", Geometry: orb.Point{0, 0}}
	for _, c := range []struct {
		filter        string
		want, wantNil bool // for s, and for unknown (no fatalities)
	}{
		{`event_type = 'battles' AND fatalities_best BETWEEN 10 AND 20`, true, false},
		{`NOT fatalities_best > 100`, true, false},               // unknown under NOT selects nothing
		{`fatalities_best > 100 OR country = 'BF'`, false, true}, // unknown OR true is true
		{`title LIKE 'S_gou%'`, true, false},
		{`title LIKE 'S\_gou%'`, false, false},
		{`T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2022-04-23', '..'))`, true, false},
		{`T_INTERSECTS(INTERVAL(starts_at, ends_at), DATE('2022-04-25'))`, true, false},
		{`T_AFTER(starts_at, DATE('2022-04-23'))`, true, false},
		{`S_WITHIN(geometry, BBOX(-7, 13, -5, 14))`, true, false},
		{`S_CONTAINS(POLYGON((-10 10, 10 10, 10 20, -10 20, -10 10)), geometry)`, true, false},
		{`S_WITHIN(geometry, POLYGON((-6 13, -5 13, -5 14, -6 14, -6 13)))`, false, false}, // on the edge
		{`S_INTERSECTS(geometry, POLYGON((-6 13, -5 13, -5 14, -6 14, -6 13)))`, true, false},
		{`S_DISJOINT(geometry, LINESTRING(-1 -1, 1 1))`, true, false},
	} {
		e, err := cql2.Parse(c.filter, "", incidentQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		pass, err := cql2.Predicate(e, cql2.SummaryAccessors)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		if got := pass(s); got != c.want {
			t.Errorf("%s: %v, want %v", c.filter, got, c.want)
		}
		if got := pass(unknown); got != c.wantNil {
			t.Errorf("%s on an incident without figures: %v, want %v", c.filter, got, c.wantNil)
		}
	}
}

func TestPredicateNeedsItsProperties(t *testing.T) {
	e, err := cql2.Parse(`admin1 = 'Mopti'`, "", incidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cql2.Predicate(e, cql2.SummaryAccessors); err == nil {
		t.Error("a predicate over summaries read admin1, which they lack")
	}
}
