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

// BenchmarkEncodeIncidentTile encodes the incident layer of tiles over a
// million incidents (laid out once): at z5 (990,000 incidents) and z9
// (19,000) every mark is a cluster, at z11 (1,200) clusters and single
// incidents mix.
func BenchmarkEncodeIncidentTile(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)))
	m, _ := compile(geo.Filter{})
	for _, z := range []maptile.Zoom{5, 9, 11} {
		t := maptile.At(orb.Point{-2.6, 14.3}, z)
		l := scan(ix, t, &m)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			for range b.N {
				layers := mvt.Layers{mvtLayer(IncidentsLayer, incidentFeatures(ix, l, t))}
				if _, err := mvt.Marshal(layers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
