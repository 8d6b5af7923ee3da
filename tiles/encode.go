package tiles

import (
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// uncertaintyKm is the radius of the area an incident may lie in, by geo
// precision (exact, near, admin2, admin1, region, country): maps draw it
// instead of pretending a coarse location is a point.
var uncertaintyKm = []int{0, 5, 50, 150, 400, 800}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// incidentFeatures turns a layout into MVT features in tile units, cluster
// cell by cluster cell (see clusterCell): a cell whose layout cells all
// hold at most perCell incidents shows them one by one, any other becomes
// one cluster, so that every incident is shown or counted exactly once;
// and no two marks overlap (see spacing.go).
func incidentFeatures(ix *index, l *layout, t maptile.Tile) []*geojson.Feature {
	var out []*geojson.Feature
	as := clusterAreas(ix, l)
	for row := 1; row < clusterSide-1; row++ {
		for col := 1; col < clusterSide-1; col++ {
			a := &as[row][col]
			dots := a.dots
			if !a.busy && crowded(as, row, col) {
				var ok bool
				if dots, ok = movedInside(dots, row, col); !ok {
					a.busy = true
				}
			}
			if a.busy {
				out = append(out, cluster(&a.sum, row-1, col-1))
				continue
			}
			for _, d := range dots {
				out = append(out, single(ix, t, int(d.i), d.x, d.y)...)
			}
		}
	}
	return out
}

// single is one incident as a feature, a point at x, y (tile units) or its
// line or area (several features when its geometry is a collection: orb's
// encoder keeps only a collection's first member).
func single(ix *index, t maptile.Tile, i int, x, y float64) []*geojson.Feature {
	a := ix.attrs[i]
	props := geojson.Properties{
		"id":             ix.id(i),
		"title":          ix.title(i),
		"location":       ix.location(i),
		"event_type":     eventTypeList[a.eventType],
		"starts_at":      time.UnixMicro(ix.start[i]).UTC().Format(time.RFC3339),
		"ends_at":        time.UnixMicro(ix.end[i]).UTC().Format(time.RFC3339),
		"geo_precision":  geo.GeoPrecisions[a.precision],
		"uncertainty_km": uncertaintyKm[a.precision],
		"t0":             floorDiv(ix.start[i], dayMicros),
		"t1":             floorDiv(ix.end[i], dayMicros),
	}
	if ix.best[i] >= 0 {
		props["fatalities_best"] = ix.best[i]
	}
	if shape, ok := ix.shapes[int32(i)]; ok {
		var out []*geojson.Feature
		for _, g := range splitCollection(shape) {
			if g = cutPart(g, t, nil); g != nil {
				out = append(out, &geojson.Feature{Geometry: g, Properties: props})
			}
		}
		return out
	}
	return []*geojson.Feature{{Geometry: orb.Point{x, y}, Properties: props}}
}

// cluster is the mark of the incidents of cluster cell (row, col), summed
// in c: at their mean position, moved inward so that its disc stays inside
// the cell (see clusterRadius).
func cluster(c *cell, row, col int) *geojson.Feature {
	dominant := 0
	for k, n := range c.types {
		if n > c.types[dominant] {
			dominant = k
		}
	}
	n := float64(c.n)
	radius := clusterRadius(int(c.n))
	inset := math.Ceil((radius + clusterStroke + clusterGap/2) * unitsPerPixel) // whole tile units
	inside := func(sum int64, k int) float64 {
		lo := float64(k * clusterCell)
		return min(max(math.Round(float64(sum)/n), lo+inset), lo+clusterCell-inset)
	}
	return &geojson.Feature{
		Geometry: orb.Point{inside(c.sumX, col), inside(c.sumY, row)},
		Properties: geojson.Properties{
			"cluster":    true,
			"count":      c.n,
			"radius":     radius,
			"fatalities": c.fatalities,
			"event_type": eventTypeList[dominant],
			"coarse":     c.coarse,
			"starts_at":  time.UnixMicro(c.start).UTC().Format(time.RFC3339),
			"ends_at":    time.UnixMicro(c.end).UTC().Format(time.RFC3339),
			"t0":         floorDiv(c.start, dayMicros),
			"t1":         floorDiv(c.end, dayMicros),
		},
	}
}

// splitCollection flattens geometry collections into their members.
func splitCollection(g orb.Geometry) []orb.Geometry {
	c, ok := g.(orb.Collection)
	if !ok {
		return []orb.Geometry{g}
	}
	var out []orb.Geometry
	for _, m := range c {
		out = append(out, splitCollection(m)...)
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// mvtLayer is one MVT 2.1 layer of features in tile units.
func mvtLayer(name string, features []*geojson.Feature) *mvt.Layer {
	return &mvt.Layer{Name: name, Version: 2, Extent: Extent, Features: features}
}
