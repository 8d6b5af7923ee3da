package tiles

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// millionIndex is an index of a million random incidents around Moura in
// March and April 2022 (see randomSummary), each changed by vary if given.
func millionIndex(r *rand.Rand, vary ...func(r *rand.Rand, s *geo.Summary)) *index {
	var b builder
	for i := range 1_000_000 {
		s := randomSummary(r, fmt.Sprintf("synth-1-%08d", i))
		for _, v := range vary {
			v(r, &s)
		}
		b.addSummary(&s)
	}
	return b.finish()
}

// BenchmarkApplyOneWrite is the cost of one write to an index of a million
// incidents: the whole index is copied, in runs.
func BenchmarkApplyOneWrite(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	ix := millionIndex(r)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("synth-1-%08d", i%1_000_000)
		ix, _, _ = apply(ix, []string{id}, []geo.Summary{randomSummary(r, id)})
	}
}

// BenchmarkScanLowZoomWindow lays out a z4 tile that holds all of a
// million incidents, a quarter of them in the window.
func BenchmarkScanLowZoomWindow(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)))
	iv, err := geo.ParseInterval("datetime", "2022-03-10/2022-03-20")
	if err != nil {
		b.Fatal(err)
	}
	m, _ := compile(geo.Filter{Time: iv})
	t := maptile.At(orb.Point{-4.6, 14.3}, 4)
	b.ResetTimer()
	for range b.N {
		scan(ix, t, &m)
	}
}

// BenchmarkEncodeIncidentTile encodes the incident layer of tiles over a
// million incidents (laid out once): at z5 (990,000 incidents) and z9
// (19,000) every mark is a cluster, at z11 (1,200) clusters and single
// incidents mix.
func BenchmarkEncodeIncidentTile(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)))
	everything, _ := compile(geo.Filter{})
	for _, z := range []maptile.Zoom{5, 9, 11} {
		t := maptile.At(orb.Point{-2.6, 14.3}, z)
		b.Run(fmt.Sprintf("z%d", z), encodeTile(ix, t, scan(ix, t, &everything)))
	}
}

// encodeTile benchmarks the encoding of layout l of tile t.
func encodeTile(ix *index, t maptile.Tile, l *layout) func(b *testing.B) {
	return func(b *testing.B) {
		for range b.N {
			if _, err := mvt.Marshal(mvt.Layers{mvtLayer(IncidentsLayer, incidentFeatures(ix, l, t))}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// varied gives an incident a random event type and toll, so that a filter
// on them selects some incidents and not others.
func varied(r *rand.Rand, s *geo.Summary) {
	s.EventType = eventTypeList[r.IntN(len(eventTypeList))]
	s.SubEventType = geo.EventTypes[s.EventType][0]
	best := r.IntN(30)
	s.FatalitiesBest = &best
}

// coldTile builds tile t of ix for m, as Service.build does for an
// incidents tile the index answers: layout, features, MVT and gzip.
func coldTile(b *testing.B, ix *index, t maptile.Tile, m *memFilter) {
	l := scan(ix, t, m)
	raw, err := mvt.Marshal(mvt.Layers{mvtLayer(IncidentsLayer, incidentFeatures(ix, l, t))})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pack(raw); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkColdTileCQL compares a cold tile with a window alone and the
// same tile with a covered CQL2 filter besides (issue 14 asks for at most
// 1.5 times): at z4 every one of a million incidents is a candidate.
// "cql" lowers to the index's own fields; "cql-space-time" (bench.sh's
// (f) filter) to its window and boxes; "cql-per-row" runs cql2's
// predicate on every candidate.
func BenchmarkColdTileCQL(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)), varied)
	iv, err := geo.ParseInterval("datetime", "2022-03-01/2022-04-30")
	if err != nil {
		b.Fatal(err)
	}
	cql, err := cql2.ParseParams(`event_type = 'battles' AND fatalities_best > 10`, "", "", true, cql2.IncidentQueryables)
	if err != nil {
		b.Fatal(err)
	}
	perRow, err := cql2.ParseParams(`sub_event_type LIKE '%clash%' OR fatalities_best IS NULL`, "", "", true,
		cql2.IncidentQueryables)
	if err != nil {
		b.Fatal(err)
	}
	spaceTime, err := cql2.ParseParams(`S_INTERSECTS(geometry, POLYGON((-6 8, 6 8, 6 20, -6 20, -6 8))) AND `+
		`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2016-01-01', '2022-12-31'))`, "", "", true,
		cql2.IncidentQueryables)
	if err != nil {
		b.Fatal(err)
	}
	for _, z := range []maptile.Zoom{4, 8, 12} {
		t := maptile.At(orb.Point{-2.5, 14.5}, z)
		for _, c := range []struct {
			name string
			f    geo.Filter
		}{{"window", geo.Filter{Time: iv}}, {"window+cql", geo.Filter{Time: iv, CQL: cql}},
			{"window+cql-space-time", geo.Filter{Time: iv, CQL: spaceTime}},
			{"window+cql-per-row", geo.Filter{Time: iv, CQL: perRow}}} {
			m, ok := compile(c.f)
			if !ok {
				b.Fatal("not covered")
			}
			b.Run(fmt.Sprintf("z%d/%s", z, c.name), func(b *testing.B) {
				for range b.N {
					coldTile(b, ix, t, &m)
				}
			})
		}
	}
}
