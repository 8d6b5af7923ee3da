package cql2_test

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// BenchmarkPredicate evaluates filters the tile index can answer over
// summaries: ns/op is per incident.
func BenchmarkPredicate(b *testing.B) {
	summaries := make([]geo.Summary, 4096)
	for i := range summaries {
		best := i % 50
		start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		summaries[i] = geo.Summary{ID: "x", EventType: []string{"battles", "riots", "protests"}[i%3],
			Country: []string{"ML", "BF", "NE", "UA"}[i%4], FatalitiesBest: &best,
			StartsAt: start, EndsAt: start.Add(48 * time.Hour),
			Geometry: orb.Point{float64(i%360) - 180, float64(i%170) - 85}}
	}
	for _, f := range []string{
		`event_type = 'battles' AND fatalities_best > 10`,
		`country IN ('ML', 'BF') AND T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-02-01', '2022-03-01'))`,
		`S_INTERSECTS(geometry, BBOX(-20, -10, 40, 30))`,
		`S_WITHIN(geometry, POLYGON((-20 -10, 40 -10, 40 30, 10 40, -20 30, -20 -10)))`,
	} {
		e, err := cql2.Parse(f, "", incidentQueryables)
		if err != nil {
			b.Fatal(err)
		}
		pass, err := cql2.Predicate(e, cql2.SummaryAccessors)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f[:min(len(f), 40)], func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for i := 0; b.Loop(); i++ {
				if pass(&summaries[i%len(summaries)]) {
					n++
				}
			}
		})
	}
}
