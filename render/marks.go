package render

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// How incidents become marks: the map area is cut into square cells
// (cellSide pixels at scale 1); a cell with at most perCell incidents shows
// each of them, a busier one becomes a cluster with its count. Nothing is
// dropped: every incident in view is either drawn or counted in a cluster,
// and memory stays bounded by the number of cells, whatever the data.
const (
	cellSide = 56
	perCell  = 3
)

// uncertaintyKm is the radius of the area an incident may lie in, by geo
// precision (exact, near, admin2, admin1, region, country), as in the tiles.
var uncertaintyKm = [...]float64{0, 5, 50, 150, 400, 800}

// mark is one incident drawn alone.
type mark struct {
	id     string
	x, y   float64 // pixels
	event  string
	best   int     // fatalities_best, -1 when unknown
	area   float64 // radius of its uncertainty in pixels; 0 for an exact place
	shape  orb.Geometry
	radius float64 // of its dot, set when drawn
}

// cell accumulates the incidents of one cell of the grid. Sums are whole
// sixteenths of a pixel, so that the result does not depend on the order
// in which incidents arrive.
type cell struct {
	n          int
	members    [perCell]mark
	sumX, sumY int64
	deaths     int64
	types      [eventKinds]int
}

// marks gathers the incidents of a map as the store streams them.
type marks struct {
	v     *view
	side  float64
	cols  int
	cells map[int]*cell
	n     int
	types [eventKinds]int
}

func newMarks(v *view, scale float64) *marks {
	side := cellSide * scale
	cols := int(math.Ceil((v.within.Max[0]-v.within.Min[0])/side)) + 1
	return &marks{v: v, side: side, cols: cols, cells: map[int]*cell{}}
}

// add places one incident; it reports false when it falls outside the map.
func (m *marks) add(s geo.Summary) bool {
	at, shape := anchor(s.Geometry)
	x, y := m.v.pixel(at)
	if !m.v.inside(x, y) {
		return false
	}
	mk := mark{id: s.ID, x: x, y: y, event: s.EventType, best: -1, shape: shape}
	if s.FatalitiesBest != nil {
		mk.best = *s.FatalitiesBest
	}
	if i := slices.Index(geo.GeoPrecisions, s.GeoPrecision); i > 0 && i < len(uncertaintyKm) {
		mk.area = uncertaintyKm[i] * 1000 / m.v.metresPerPixel(at[1])
	}
	col := int((x - m.v.within.Min[0]) / m.side)
	row := int((y - m.v.within.Min[1]) / m.side)
	c := m.cells[row*m.cols+col]
	if c == nil {
		c = &cell{}
		m.cells[row*m.cols+col] = c
	}
	if c.n < perCell {
		c.members[c.n] = mk
	}
	c.n++
	c.sumX += int64(math.Round(x * 16))
	c.sumY += int64(math.Round(y * 16))
	if mk.best > 0 {
		c.deaths += int64(mk.best)
	}
	c.types[eventIndex(s.EventType)]++
	m.types[eventIndex(s.EventType)]++
	m.n++
	return true
}

// anchor is where an incident's mark goes: its point, or the centre of
// the bound of a shape (which is then drawn too).
func anchor(g orb.Geometry) (orb.Point, orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		return g, nil
	case nil:
		return orb.Point{}, nil
	}
	return g.Bound().Center(), g
}

// cluster is a busy cell drawn as one circle.
type cluster struct {
	x, y   float64
	n      int
	event  string // the dominant event type
	radius float64
}

// layout splits the cells into single marks and clusters, in an order
// that does not depend on the order incidents arrived in.
func (m *marks) layout() (singles []mark, clusters []cluster) {
	keys := make([]int, 0, len(m.cells))
	for k := range m.cells {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c := m.cells[k]
		if c.n <= perCell {
			singles = append(singles, c.members[:c.n]...)
			continue
		}
		dominant := 0
		for i, n := range c.types {
			if n > c.types[dominant] {
				dominant = i
			}
		}
		ev := "other"
		if dominant < len(eventOrder) {
			ev = eventOrder[dominant]
		}
		clusters = append(clusters, cluster{x: float64(c.sumX) / 16 / float64(c.n), y: float64(c.sumY) / 16 / float64(c.n),
			n: c.n, event: ev})
	}
	return singles, clusters
}

// interpolate reads y at x on a piecewise linear curve through stops
// (x ascending), flat beyond its ends.
func interpolate(x float64, stops ...[2]float64) float64 {
	if x <= stops[0][0] {
		return stops[0][1]
	}
	for i := 1; i < len(stops); i++ {
		if a, b := stops[i-1], stops[i]; x <= b[0] {
			return a[1] + (b[1]-a[1])*(x-a[0])/(b[0]-a[0])
		}
	}
	return stops[len(stops)-1][1]
}

// dotRadius is the radius of an exact incident's dot: it grows with the
// deaths (best estimate), as in the viewer.
func dotRadius(best int, scale float64) float64 {
	return scale * interpolate(float64(max(best, 0)), [2]float64{0, 5.5}, [2]float64{100, 9}, [2]float64{1000, 15}, [2]float64{10000, 22})
}

func clusterRadius(n int, scale float64) float64 {
	return scale * interpolate(float64(n), [2]float64{2, 12}, [2]float64{100, 18}, [2]float64{1000, 23}, [2]float64{10000, 28})
}
