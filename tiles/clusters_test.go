package tiles

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// disc is a mark on screen: its centre in global pixels at the tile's
// zoom and its radius, stroke included.
type disc struct {
	x, y, r float64
	what    string
}

// markDiscs are the marks of tile in global pixels: clusters, and dots
// and rings as the style draws them (static/src/style.json: exact places
// a dot of radius 5 to 13 by the deaths and a 1.5-pixel stroke, others a
// ring of radius 9 and a 2.5-pixel stroke). Lines and areas are not marks.
func markDiscs(t *testing.T, s *Service, tile maptile.Tile) []disc {
	t.Helper()
	var out []disc
	for _, f := range decode(t, s, tile, geo.Filter{})["incidents"].Features {
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			continue
		}
		d := disc{x: float64(tile.X)*tilePixels + p[0]/unitsPerPixel, y: float64(tile.Y)*tilePixels + p[1]/unitsPerPixel}
		switch {
		case f.Properties["cluster"] == true:
			d.r, d.what = f.Properties["radius"].(float64)+2, fmt.Sprintf("cluster of %v", f.Properties["count"])
		case f.Properties["geo_precision"] == "exact":
			deaths, _ := f.Properties["fatalities_best"].(float64)
			d.r, d.what = 5+1.5, "dot "+f.Properties["id"].(string)
			switch {
			case deaths >= 1000:
				d.r += 8
			case deaths >= 100:
				d.r += 3 + 5*(deaths-100)/900
			default:
				d.r += 3 * deaths / 100
			}
		default:
			d.r, d.what = 9+2.5, "ring "+f.Properties["id"].(string)
		}
		out = append(out, d)
	}
	return out
}

// Tiles are drawn from their zoom, where a pixel of the tile is a pixel on
// screen, to just below the next, where it is up to two: marks apart at
// the first are apart at every scale in between, their radii being in
// pixels. The data mixes a dense blob, a thin spread, incidents stacked on
// one point, approximate places and deadly ones; the 2x2 tiles looked at
// share edges, where neighbouring tiles must agree.
func TestMarksNeverOverlapWithinOrAcrossTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	src := &memorySource{}
	for i := range 40000 {
		// A dense blob at Moura and a thinner spread over central Mali.
		lon, lat := -4.6+r.NormFloat64()*0.3, 14.1+r.NormFloat64()*0.3
		if i%2 == 0 {
			lon, lat = -7+r.Float64()*6, 12+r.Float64()*5
		}
		if i%500 == 0 { // stacked: five on one point
			lon, lat = -4.2+float64(i/2500)*0.01, 13.9
		}
		s := summary(fmt.Sprintf("d%05d", i), lon, lat, "2022-01-01")
		s.GeoPrecision = geo.GeoPrecisions[i%7%3]
		if i%11 == 0 {
			deaths := i % 1500
			s.FatalitiesBest = &deaths
		}
		src.summaries = append(src.summaries, s)
	}
	s := loaded(t, src)
	dots := 0
	for z := maptile.Zoom(2); z <= 15; z++ {
		for _, centre := range []orb.Point{{-4.6, 14.1}, {-4.2, 13.9}, {-2.5, 16.5}} {
			at := maptile.At(centre, z)
			var marks []disc
			for dy := uint32(0); dy < 2; dy++ {
				for dx := uint32(0); dx < 2; dx++ {
					marks = append(marks, markDiscs(t, s, maptile.New(at.X+dx, at.Y+dy, z))...)
				}
			}
			clusters := 0
			for i, a := range marks {
				if strings.HasPrefix(a.what, "cluster") {
					clusters++
					if a.r > float64(clusterCell/unitsPerPixel)/2 {
						t.Errorf("z%d: a disc of radius %.1f is wider than its cell", z, a.r)
					}
				} else {
					dots++
				}
				for _, b := range marks[i+1:] {
					if d := math.Hypot(a.x-b.x, a.y-b.y); d < a.r+b.r+clusterGap {
						t.Errorf("z%d: %s at (%.1f, %.1f) and %s at (%.1f, %.1f) are %.1f px apart, radii %.1f and %.1f",
							z, a.what, a.x, a.y, b.what, b.x, b.y, d, a.r, b.r)
					}
				}
			}
			if centre[0] == -4.6 && z >= 4 && z <= 9 && clusters < 4 {
				t.Fatalf("z%d: %d clusters, the test draws too few", z, clusters)
			}
		}
	}
	if dots < 1000 {
		t.Errorf("%d dots and rings in all, the test draws too few", dots)
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
