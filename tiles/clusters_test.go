package tiles

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// disc is a cluster mark on screen: its centre in global pixels at the
// tile's zoom and its radius, stroke included.
type disc struct{ x, y, r float64 }

// clusterDiscs are the cluster marks of tile in global pixels.
func clusterDiscs(t *testing.T, s *Service, tile maptile.Tile) []disc {
	t.Helper()
	var out []disc
	for _, f := range decode(t, s, tile, geo.Filter{})["incidents"].Features {
		if f.Properties["cluster"] != true {
			continue
		}
		p := f.Geometry.(orb.Point)
		out = append(out, disc{
			x: float64(tile.X)*tilePixels + p[0]/unitsPerPixel,
			y: float64(tile.Y)*tilePixels + p[1]/unitsPerPixel,
			r: f.Properties["radius"].(float64) + clusterStroke,
		})
	}
	return out
}

// Tiles are drawn from their zoom, where a pixel of the tile is a pixel on
// screen, to just below the next, where it is up to two: discs apart at the
// first are apart at every scale in between, their radii being in pixels.
func TestClustersNeverOverlapWithinOrAcrossTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	src := &memorySource{}
	for i := range 40000 {
		// A dense blob at Moura and a thinner spread over central Mali.
		lon, lat := -4.6+r.NormFloat64()*0.3, 14.1+r.NormFloat64()*0.3
		if i%2 == 0 {
			lon, lat = -7+r.Float64()*6, 12+r.Float64()*5
		}
		src.summaries = append(src.summaries, summary(fmt.Sprintf("d%05d", i), lon, lat, "2022-01-01"))
	}
	s := loaded(t, src)
	for z := maptile.Zoom(2); z <= 13; z++ {
		centre := maptile.At(orb.Point{-4.6, 14.1}, z)
		var discs []disc
		for dy := uint32(0); dy < 2; dy++ {
			for dx := uint32(0); dx < 2; dx++ {
				discs = append(discs, clusterDiscs(t, s, maptile.New(centre.X+dx, centre.Y+dy, z))...)
			}
		}
		if z >= 4 && z <= 9 && len(discs) < 4 {
			t.Fatalf("z%d: %d clusters, the test draws too few", z, len(discs))
		}
		for i, a := range discs {
			if a.r > float64(clusterCell/unitsPerPixel)/2 {
				t.Errorf("z%d: a disc of radius %.1f is wider than its cell", z, a.r)
			}
			for _, b := range discs[i+1:] {
				if d := math.Hypot(a.x-b.x, a.y-b.y); d < a.r+b.r+clusterGap {
					t.Errorf("z%d: discs at (%.1f, %.1f) and (%.1f, %.1f) are %.1f px apart, radii %.1f and %.1f",
						z, a.x, a.y, b.x, b.y, d, a.r, b.r)
				}
			}
		}
	}
}

func TestClusterRadiusGrowsWithTheCountAndFitsItsCell(t *testing.T) {
	last := 0.0
	for _, n := range []int{0, 2, 3, 50, 100, 999, 1000, 5000, 10000, 1e6, math.MaxInt32} {
		r := clusterRadius(n)
		if r < last || r > maxClusterRadius {
			t.Errorf("radius of %d: %.1f after %.1f, at most %.1f", n, r, last, maxClusterRadius)
		}
		last = r
	}
	if clusterRadius(2) != 11 || clusterRadius(100) != 17 || clusterRadius(10000) != 26 {
		t.Errorf("radii %v %v %v, want the stops 11, 17, 26", clusterRadius(2), clusterRadius(100), clusterRadius(10000))
	}
}
