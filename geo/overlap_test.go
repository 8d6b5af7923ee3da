package geo_test

import (
	"math"
	"testing"

	"incidentmap/geo"
	"incidentmap/geo/intervaltest"
)

// The overlap rule, on the table that store's SQL is held to as well.
func TestOverlapRule(t *testing.T) {
	for _, c := range intervaltest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			iv, err := geo.ParseInterval("datetime", c.Datetime)
			if err != nil {
				t.Fatal(err)
			}
			in := c.Incident
			if got := iv.Window().Overlaps(in.Start.UnixMicro(), in.End.UnixMicro()); got != c.Overlaps {
				t.Errorf("%s overlaps %s [%s, %s] = %v, want %v", c.Datetime, in.ID, in.Start, in.End, got, c.Overlaps)
			}
			if got := iv.Overlaps(in.Start, in.End); got != c.Overlaps {
				t.Errorf("Interval.Overlaps = %v, want %v", got, c.Overlaps)
			}
		})
	}
}

func TestWindowOpenSidesReachPastAnyTime(t *testing.T) {
	w := geo.Interval{}.Window()
	if w.Start != math.MinInt64 || w.End != math.MaxInt64 {
		t.Fatalf("open window = %+v", w)
	}
	for _, in := range intervaltest.Incidents {
		if !w.Overlaps(in.Start.UnixMicro(), in.End.UnixMicro()) {
			t.Errorf("the open window misses %s", in.ID)
		}
	}
}
