package render

import (
	"math"
	"slices"
	"strconv"
	"strings"

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
	scale float64
	side  float64
	cols  int
	cells map[int]*cell
	n     int
	types [eventKinds]int
}

func newMarks(v *view, scale float64) *marks {
	side := cellSide * scale
	cols := int(math.Ceil((v.within.Max[0]-v.within.Min[0])/side)) + 1
	return &marks{v: v, scale: scale, side: side, cols: cols, cells: map[int]*cell{}}
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

// cluster is a busy cell drawn as one circle, inside its cell.
type cluster struct {
	x, y   float64
	n      int
	event  string // the dominant event type
	radius float64
}

// layout splits the cells into single marks and clusters, in an order
// that does not depend on the order incidents arrived in, so that no two
// marks overlap: a cluster's disc lies inside its cell, and a cell that is
// not busy draws its incidents one by one unless one of them would overlap
// another, or reach into a neighbouring cell that holds any incident. It
// then draws them moved inward until each lies inside the cell, or as a
// cluster when they would still overlap there (the rule of the tiles,
// tiles/spacing.go).
func (m *marks) layout() (singles []mark, clusters []cluster) {
	keys := make([]int, 0, len(m.cells))
	for k := range m.cells {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c := m.cells[k]
		if c.n <= perCell {
			alone := c.members[:c.n]
			if !m.crowded(k) {
				singles = append(singles, alone...)
				continue
			}
			if moved, ok := m.movedInside(alone, m.cellRect(k)); ok {
				singles = append(singles, moved...)
				continue
			}
		}
		clusters = append(clusters, m.cluster(c, k))
	}
	return singles, clusters
}

// cluster is the cluster of cell c, at key k.
func (m *marks) cluster(c *cell, k int) cluster {
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
	cl := cluster{x: float64(c.sumX) / 16 / float64(c.n), y: float64(c.sumY) / 16 / float64(c.n),
		n: c.n, event: ev, radius: clusterRadius(c.n, m.scale)}
	cl.place(m.cellRect(k), m.scale)
	return cl
}

// cellRect is the square of the cell at key k.
func (m *marks) cellRect(k int) rect {
	x0 := m.v.within.Min[0] + float64(k%m.cols)*m.side
	y0 := m.v.within.Min[1] + float64(k/m.cols)*m.side
	return rect{x0, y0, x0 + m.side, y0 + m.side}
}

// reach is how far around its point an incident drawn alone covers the
// map: its dot and halo, or the ring of an approximate place, and half
// the gap between marks; 0 for a line or area.
func (m *marks) reach(s mark) float64 {
	switch {
	case s.shape != nil:
		return 0
	case s.area > 0:
		return (9 + 0.8 + 1) * m.scale
	}
	return dotRadius(s.best, m.scale) + (1.5+1)*m.scale
}

// crowded reports whether a mark of the cell at key k, drawn where its
// incident is, would overlap another incident's mark or reach into a
// neighbouring cell that holds any incident.
func (m *marks) crowded(k int) bool {
	col := k % m.cols
	for _, s := range m.cells[k].members[:m.cells[k].n] {
		r := m.reach(s)
		if r == 0 {
			continue
		}
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				o := m.cells[k+dr*m.cols+dc]
				if o == nil || col+dc < 0 || col+dc >= m.cols {
					continue
				}
				if (dr != 0 || dc != 0) && m.cellRect(k+dr*m.cols+dc).distance(s.x, s.y) < r {
					return true
				}
				if o.n > perCell {
					continue // a cluster, inside its cell
				}
				for _, t := range o.members[:o.n] {
					if t.id != s.id && m.reach(t) > 0 && math.Hypot(s.x-t.x, s.y-t.y) < r+m.reach(t) {
						return true
					}
				}
			}
		}
	}
	return false
}

// movedInside returns marks moved inward until each lies inside cell, or
// false when two of them would overlap there.
func (m *marks) movedInside(marks []mark, cell rect) ([]mark, bool) {
	out := make([]mark, len(marks))
	for i, s := range marks {
		if r := m.reach(s); r > 0 {
			s.x = min(max(s.x, cell.x0+r), cell.x1-r)
			s.y = min(max(s.y, cell.y0+r), cell.y1-r)
			for _, t := range out[:i] {
				if rt := m.reach(t); rt > 0 && math.Hypot(s.x-t.x, s.y-t.y) < r+rt {
					return nil, false
				}
			}
		}
		out[i] = s
	}
	return out, true
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

// clusterRadius is the radius of a cluster's disc: it grows with the
// count, and its halo and a gap (clusterInset) stay inside a cell, so
// that no two clusters overlap.
func clusterRadius(n int, scale float64) float64 {
	r := scale * interpolate(float64(n), [2]float64{2, 11}, [2]float64{100, 17}, [2]float64{1000, 22}, [2]float64{10000, 26})
	return min(r, cellSide*scale/2-clusterInset(0, scale))
}

// clusterInset is how far the centre of a disc of radius r stays from the
// edges of its cell: its halo (drawClusters) and half the gap between
// neighbouring clusters.
func clusterInset(r, scale float64) float64 { return r + 2*scale + 1*scale }

// place moves c inward, from the mean position of its incidents, until its
// disc and halo lie inside cell.
func (c *cluster) place(cell rect, scale float64) {
	in := clusterInset(c.radius, scale)
	c.x = min(max(c.x, cell.x0+in), cell.x1-in)
	c.y = min(max(c.y, cell.y0+in), cell.y1-in)
}

// compactCount abbreviates a cluster's count to fit its disc, as the
// viewer does: 950, 1.2K, 12K, 1.2M in English; 1,2 k, 12 k in French.
func compactCount(n int, lang string) string {
	if n < 1000 {
		return strconv.Itoa(n)
	}
	units := []string{"K", "M", "B"}
	if lang == "fr" {
		units = []string{"\u00a0k", "\u00a0M", "\u00a0Md"}
	}
	v, u := float64(n)/1000, 0
	for math.Round(v*10)/10 >= 1000 && u < len(units)-1 {
		v, u = v/1000, u+1
	}
	digits := 0
	if math.Round(v*10)/10 < 10 {
		digits = 1
	}
	p := math.Pow10(digits)
	out := strconv.FormatFloat(math.Round(v*p)/p, 'f', digits, 64)
	out = strings.TrimSuffix(out, ".0")
	if lang == "fr" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out + units[u]
}

// countLabel is a cluster's count, abbreviated, in the largest bold face
// (13 pixels at scale 1 at most) that fits inside its disc.
func (m *Map) countLabel(c cluster) (face, string) {
	n := compactCount(c.n, m.req.Lang)
	size := math.Round(13 * textScale(m.scale))
	f := newFace(m.r.fonts.bold, size)
	for f.width(n) > 2*c.radius-4*m.scale && size > 8 {
		size--
		f = newFace(m.r.fonts.bold, size)
	}
	return f, n
}
