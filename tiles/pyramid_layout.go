package tiles

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// layOut lays out the incidents of ix inside tile t that pass m: from the
// pyramid when it can answer (see fromPyramid), else by a scan. Both give
// the same layout.
func layOut(ix *index, t maptile.Tile, m *memFilter) *layout {
	if l, ok := fromPyramid(ix, t, m); ok {
		return l
	}
	return scan(ix, t, m)
}

// fromPyramid lays out tile t, of zoom at most pyramidMaxZoom, exactly as
// scan would, from ix's pyramid: a cell whose incidents all overlap m's
// window takes its sums, one whose incidents none overlaps is skipped, and
// only the others are scanned. ok is false when the pyramid cannot answer:
// a deeper tile, a filter other than a time window alone (types, places,
// CQL2 ... need each incident), or an index without a pyramid.
func fromPyramid(ix *index, t maptile.Tile, m *memFilter) (l *layout, ok bool) {
	p := ix.pyr
	if p == nil || int(t.Z) > pyramidMaxZoom || !Valid(t) || !m.timeOnly() {
		return nil, false
	}
	z := int(t.Z)
	cells := p.levels[z]
	lo := uint32(tileCode(t)) << (2 * gridBits)
	a, _ := slices.BinarySearchFunc(cells, lo, func(c pcell, k uint32) int { return cmpKey(c.key, k) })
	b, _ := slices.BinarySearchFunc(cells, lo+grid*grid, func(c pcell, k uint32) int { return cmpKey(c.key, k) })
	from, to := ix.search(mortonRange(t))
	l = &layout{}
	l.x0, l.y0, l.shift = tileOrigin(t)
	w := m.window
	pos := from
	for k := range cells[a:b] {
		c := &cells[a+k]
		switch {
		case c.lastStart < w.End && c.firstEnd >= w.Start: // all overlap
			l.addCell(c, pos)
		case c.start >= w.End || c.end < w.Start: // none does
		default:
			l.addOverlapping(ix, pos, pos+int(c.n), w)
		}
		pos += int(c.n)
	}
	if pos != to { // cannot be: the pyramid belongs to another index
		return nil, false
	}
	return l, true
}

// addOverlapping adds the incidents [from, to) of ix that overlap w, in a
// loop as tight as scan's.
func (l *layout) addOverlapping(ix *index, from, to int, w geo.Window) {
	ends := ix.end[from:to]
	for k, start := range ix.start[from:to][:len(ends)] {
		if start < w.End && ends[k] >= w.Start { // w.Overlaps
			l.add(ix, from+k)
		}
	}
}

// addCell adds every incident of pyramid cell c, which are incidents
// [pos, pos+c.n) of the index, to the layout, as add would one by one.
func (l *layout) addCell(c *pcell, pos int) {
	cx, cy := deinterleave(c.key & (grid*grid - 1))
	lc := &l.cells[cy*grid+cx]
	n := int(c.n)
	for j := range min(n, perCell) {
		lc.members[j] = int32(pos + j)
	}
	lc.n = c.n
	lc.start, lc.end = c.start, c.end
	lc.sumX = c.sumX - int64(n)*int64(l.x0>>l.shift)
	lc.sumY = c.sumY - int64(n)*int64(l.y0>>l.shift)
	lc.fatalities = c.fatalities
	lc.types = c.types
	lc.coarse = c.coarse
	for j := 0; j < n && l.total+j <= allSingles; j++ {
		l.first = append(l.first, int32(pos+j))
	}
	l.total += n
}

// tileCode is tile t's Morton code at its own level.
func tileCode(t maptile.Tile) uint64 {
	if t.Z == 0 {
		return 0
	}
	return morton(t.X, t.Y)
}

func cmpKey(a, b uint32) int { return cmp.Compare(a, b) }

// deinterleave splits a Morton code into x (its even bits) and y (its odd
// bits).
func deinterleave(code uint32) (x, y int) {
	for b := 0; b < 16; b++ {
		x |= int(code>>(2*b)&1) << b
		y |= int(code>>(2*b+1)&1) << b
	}
	return x, y
}
