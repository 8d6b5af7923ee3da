package tiles

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// layOut lays out the incidents of ix inside tile t and its margin that
// pass m: from the pyramid when it can answer (see fromPyramid), else by
// a scan. Both give the same layout.
func layOut(ix *index, t maptile.Tile, m *memFilter) *layout {
	if l, ok := fromPyramid(ix, t, m); ok {
		return l
	}
	return scan(ix, t, m)
}

// fromPyramid lays out tile t and its margin from ix's pyramid alone; ok is
// false when the pyramid cannot answer for some part (see fillFromPyramid).
func fromPyramid(ix *index, t maptile.Tile, m *memFilter) (l *layout, ok bool) {
	l = newLayout(t)
	for _, part := range l.parts() {
		if !l.fillFromPyramid(ix, part, m) {
			return nil, false
		}
	}
	l.settleMargin()
	return l, true
}

// fillFromPyramid lays out the incidents of part (the layout's tile, of
// zoom at most pyramidMaxZoom, or a tile of its margin) exactly as
// scanPart would, from ix's pyramid: a cell whose incidents all overlap
// m's window takes its sums, one whose incidents none overlaps is skipped,
// and only the others are scanned. It reports false, having added
// nothing, when the pyramid cannot answer: a deeper tile, a filter other
// than a time window alone (types, places, CQL2 ... need each incident),
// or an index without a pyramid.
func (l *layout) fillFromPyramid(ix *index, part maptile.Tile, m *memFilter) bool {
	p, z := ix.pyr, int(l.tile.Z)
	if p == nil || z > pyramidMaxZoom || !Valid(l.tile) || !m.timeOnly() {
		return false
	}
	cells := p.levels[z]
	below := 2 * uint(z+gridBits-int(part.Z)) // key bits below the part's own
	lo := uint32(tileCode(part)) << below
	a, _ := slices.BinarySearchFunc(cells, lo, func(c pcell, k uint32) int { return cmpKey(c.key, k) })
	b, _ := slices.BinarySearchFunc(cells, lo+1<<below, func(c pcell, k uint32) int { return cmpKey(c.key, k) })
	from, to := ix.search(mortonRange(part))
	n := 0
	for k := range cells[a:b] {
		n += int(cells[a+k].n)
	}
	if n != to-from { // cannot be: the pyramid belongs to another index
		return false
	}
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
	return true
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
	wx, wy := deinterleave(c.key) // the cell in the world, at zoom z+gridBits
	col, row := wx-int(l.tile.X)*grid, wy-int(l.tile.Y)*grid
	lc := &l.cells[(row+margin)*span+col+margin]
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
