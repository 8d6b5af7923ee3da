package tiles

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

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
