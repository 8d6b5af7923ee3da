package tiles

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// shapeBound finds every line and area of an index, with its bounds, and
// no point.
func TestShapeBoundFindsLinesAndAreas(t *testing.T) {
	all := map[string]geo.Summary{}
	for k := range 200 {
		s := summary(fmt.Sprintf("i-%03d", k), -5+float64(k)/50, 12+float64(k%7), "2022-03-01")
		if k%9 == 0 {
			p := s.Geometry.(orb.Point)
			s.Geometry = orb.LineString{p, {p[0] + 1, p[1] + 0.5}}
		}
		all[s.ID] = s
	}
	ix := build(all)
	found := 0
	for i := range ix.len() {
		b, isShape := ix.shapeBound(i)
		g, inMap := ix.shapes[int32(i)]
		if isShape != inMap || (inMap && b != g.Bound()) {
			t.Fatalf("incident %d: shapeBound says %v %v, the map %v", i, isShape, b, inMap)
		}
		if isShape {
			found++
		}
	}
	if found != 23 {
		t.Errorf("found %d shapes, want 23", found)
	}
}
