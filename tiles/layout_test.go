package tiles

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// flatScan is scan without skipping what the filter's boxes rule out:
// every incident of each part goes through the filter.
func flatScan(ix *index, t maptile.Tile, m *memFilter) *layout {
	l := newLayout(t)
	for _, part := range l.parts() {
		enough := int32(1<<31 - 1)
		if part != t {
			enough = perCell + 1
		}
		from, to := ix.search(mortonRange(part))
		for i := from; i < to; i++ {
			if m.match(ix, i) && l.add(ix, i) >= enough {
				break
			}
		}
	}
	l.settleMargin()
	return l
}

// A scan held to boxes (a bbox, an S_INTERSECTS rectangle or both) skips
// the parts of the tile they miss and lays out exactly what a scan of
// every incident would.
func TestBoxedScansSkipOnlyWhatTheBoxesRuleOut(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ix := pyramidIndex(r, 20000)
	for k := range 400 {
		i := r.IntN(ix.len())
		at := lonLat(ix.x[i], ix.y[i])
		tile := maptile.At(at, maptile.Zoom(2+r.IntN(12)))
		size := []float64{0.01, 0.3, 3, 40}[r.IntN(4)]
		lon, lat := at[0]+size*(r.Float64()-0.5), at[1]+size*(r.Float64()-0.5)
		lon, lat = max(min(lon, 179-size), -179+size), max(min(lat, 85-size), -85+size) // the literal stays in CRS84
		f := geo.Filter{Time: randomWindow(r)}
		if k%3 != 2 {
			f.BBox = &geo.BBox{MinLon: lon - size/2, MinLat: lat - size/2, MaxLon: lon + size/2, MaxLat: lat + size/2}
		}
		m, ok := compile(f)
		if !ok {
			t.Fatal("a bbox and a window are covered")
		}
		if k%3 != 0 {
			m = compiled(t, fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%f, %f, %f, %f))", lon-size, lat-size/3, lon+size/3, lat+size), "")
			m.window = f.Time.Window()
			m.boxes = nil
			if f.BBox != nil {
				x0, y1 := worldXY(orb.Point{f.BBox.MinLon, f.BBox.MinLat})
				x1, y0 := worldXY(orb.Point{f.BBox.MaxLon, f.BBox.MaxLat})
				m.boxes = []worldBox{{x0, y0, x1, y1}}
			}
		}
		if got, want := scan(ix, tile, &m), flatScan(ix, tile, &m); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d, tile %v, boxes %v, area %v: the layouts differ", k, tile, m.boxes, m.area != nil)
		}
	}
}
