package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// TestVisitReachesEveryPoint: a coordinate out of range is found however
// deep in a geometry it sits, and every point counts.
func TestVisitReachesEveryPoint(t *testing.T) {
	ring := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	bad := orb.Point{200, 0}
	for name, tt := range map[string]struct {
		g    orb.Geometry
		want int
	}{
		"point":           {orb.Point{1, 1}, 1},
		"multipoint":      {orb.MultiPoint{{1, 1}, bad}, 2},
		"linestring":      {orb.LineString{{1, 1}, bad}, 2},
		"ring":            {ring, 4},
		"multilinestring": {orb.MultiLineString{{{1, 1}}, {bad}}, 2},
		"polygon":         {orb.Polygon{ring, {bad}}, 5},
		"multipolygon":    {orb.MultiPolygon{{ring}, {{bad}}}, 5},
		"collection":      {orb.Collection{orb.Point{1, 1}, orb.MultiPolygon{{{bad}}}}, 2},
	} {
		n, out := 0, false
		visit(tt.g, func(p orb.Point) {
			n++
			out = out || p == bad
		})
		if n != tt.want {
			t.Errorf("%s: %d points, want %d", name, n, tt.want)
		}
		if hasBad := name != "point" && name != "ring"; out != hasBad {
			t.Errorf("%s: found the point out of range: %v, want %v", name, out, hasBad)
		}
	}
}
