package tiles

import "github.com/paulmach/orb/maptile"

// Grid layout of a tile's incidents: the tile is cut into grid x grid cells;
// a cell holding at most perCell incidents shows them one by one, a busier
// cell makes its cluster cell (see clusterCell) one cluster. A tile
// therefore has at most grid*grid*perCell features, whatever the data.
//
// The layout also sums up a margin of one cluster cell around the tile
// (margin layout cells on each side), from the same data: whether a mark
// near the tile's edge would overlap one drawn by the neighbouring tile
// depends on what lies there (see spacing.go). The world does not wrap:
// the margin beyond the antimeridian or a pole is empty.
const (
	grid      = 32
	perCell   = 2
	cellShift = 7 // log2(Extent / grid)
	margin    = clusterSpan
	span      = grid + 2*margin // layout cells on a side, margins included
)

// cell accumulates the incidents of one grid cell.
type cell struct {
	n          int32
	members    [perCell]int32
	sumX, sumY int64 // tile units, for the mean position
	fatalities int64
	start, end int64 // span, unix microseconds
	types      [6]int32
	coarse     int32 // incidents located no better than admin2
}

// layout is the result of scanning one tile and its margin. Cell (col,
// row) of the tile, each from -margin to grid+margin-1, is
// cells[(row+margin)*span+col+margin].
type layout struct {
	cells  [span * span]cell
	tile   maptile.Tile
	x0, y0 uint32
	shift  uint
}

func newLayout(t maptile.Tile) *layout {
	l := &layout{tile: t}
	l.x0, l.y0, l.shift = tileOrigin(t)
	return l
}

// scan lays out the incidents of ix inside tile t and its margin that
// pass m.
func scan(ix *index, t maptile.Tile, m *memFilter) *layout {
	l := newLayout(t)
	for _, part := range l.parts() {
		l.scanPart(ix, part, m)
	}
	l.settleMargin()
	return l
}

// settleMargin reduces each busy cluster cell of the margin to what the
// spacing of marks reads of it, that it is busy: one layout cell of
// perCell+1 incidents, the others empty. A scan stops reading such a cell
// at its first busy layout cell; this gives every way of laying out the
// same tile the same layout.
func (l *layout) settleMargin() {
	for row := range span / clusterSpan {
		for col := range span / clusterSpan {
			if row > 0 && row < span/clusterSpan-1 && col > 0 && col < span/clusterSpan-1 {
				continue // the tile's own
			}
			busy := false
			for r := row * clusterSpan; r < (row+1)*clusterSpan; r++ {
				for c := col * clusterSpan; c < (col+1)*clusterSpan; c++ {
					busy = busy || l.cells[r*span+c].n > perCell
				}
			}
			if !busy {
				continue
			}
			for r := row * clusterSpan; r < (row+1)*clusterSpan; r++ {
				for c := col * clusterSpan; c < (col+1)*clusterSpan; c++ {
					l.cells[r*span+c] = cell{}
				}
			}
			l.cells[row*clusterSpan*span+col*clusterSpan] = cell{n: perCell + 1}
		}
	}
}

// parts are the tiles a layout covers: the tile itself, then the tiles of
// zoom z+3 (one cluster cell each) of its margin that lie in the world.
func (l *layout) parts() []maptile.Tile {
	t := l.tile
	out := []maptile.Tile{t}
	const k = 3 // log2(grid / clusterSpan): a cluster cell is a tile of zoom z+k
	side := int64(1) << (uint(t.Z) + k)
	x0, y0 := int64(t.X)<<k, int64(t.Y)<<k
	for y := y0 - 1; y <= y0+grid/clusterSpan; y++ {
		for x := x0 - 1; x <= x0+grid/clusterSpan; x++ {
			inside := x >= x0 && x < x0+grid/clusterSpan && y >= y0 && y < y0+grid/clusterSpan
			if !inside && x >= 0 && y >= 0 && x < side && y < side {
				out = append(out, maptile.New(uint32(x), uint32(y), t.Z+k))
			}
		}
	}
	return out
}

// scanPart adds the incidents of ix inside part, the tile or a tile of its
// margin, that pass m. A tile of the margin is one cluster cell, read only
// until it is busy (see settleMargin).
func (l *layout) scanPart(ix *index, part maptile.Tile, m *memFilter) {
	enough := int32(1<<31 - 1)
	if part != l.tile {
		enough = perCell + 1
	}
	l.scanWithin(ix, part, m, enough)
}

// scanWithin adds the incidents of ix inside part that pass m, and reports
// whether a layout cell reached enough incidents (the scan then stops).
// Where m holds the incidents to boxes (bbox, S_INTERSECTS), it skips the
// parts of part that no box meets, down to the layout's cells, and reads
// only the ranges of the others.
func (l *layout) scanWithin(ix *index, part maptile.Tile, m *memFilter, enough int32) bool {
	if b := tileBox(part); m.boxed() {
		switch {
		case !m.bboxMeets(b):
			return false
		case !m.areaMeets(b):
			return l.scanShapes(ix, part, m, enough)
		case !m.holdsAll(b) && int(part.Z) < int(l.tile.Z)+gridBits:
			for k := range uint32(4) { // in the index's (Morton) order
				child := maptile.New(part.X*2+k&1, part.Y*2+k>>1, part.Z+1)
				if l.scanWithin(ix, child, m, enough) {
					return true
				}
			}
			return false
		}
	}
	from, to := ix.search(mortonRange(part))
	if m.timeOnly() {
		// The common case, a window and nothing else, in a loop the
		// compiler keeps free of calls and bounds checks.
		w := m.window
		starts, ends := ix.start[from:to], ix.end[from:to]
		ends = ends[:len(starts)]
		for k, start := range starts {
			if w.Overlaps(start, ends[k]) && l.add(ix, from+k) >= enough {
				return true
			}
		}
		return false
	}
	for i := from; i < to; i++ {
		if m.match(ix, i) && l.add(ix, i) >= enough {
			return true
		}
	}
	return false
}

// scanShapes is scanWithin for the lines and areas of part alone.
func (l *layout) scanShapes(ix *index, part maptile.Tile, m *memFilter, enough int32) bool {
	from, to := ix.search(mortonRange(part))
	for _, i := range ix.shapesIn(from, to) {
		if m.match(ix, i) && l.add(ix, i) >= enough {
			return true
		}
	}
	return false
}

// tileBox is tile t in world coordinates, edges included.
func tileBox(t maptile.Tile) worldBox {
	s := 32 - uint(t.Z)
	x0, y0 := uint64(t.X)<<s, uint64(t.Y)<<s
	return worldBox{uint32(x0), uint32(y0), uint32(x0 + 1<<s - 1), uint32(y0 + 1<<s - 1)}
}

// add lays out incident i and returns how many its layout cell now holds.
func (l *layout) add(ix *index, i int) int32 {
	px, py := l.units(ix, i)
	c := &l.cells[l.cellAt(px, py)]
	if c.n < perCell {
		c.members[c.n] = int32(i)
	}
	if c.n == 0 || ix.start[i] < c.start {
		c.start = ix.start[i]
	}
	if c.n == 0 || ix.end[i] > c.end {
		c.end = ix.end[i]
	}
	c.n++
	c.sumX += px
	c.sumY += py
	if b := ix.best[i]; b > 0 {
		c.fatalities += int64(b)
	}
	a := ix.attrs[i]
	c.types[a.eventType]++
	if a.precision >= coarsePrecision {
		c.coarse++
	}
	return c.n
}

// cellAt is the index in cells of the layout cell holding tile units
// (px, py), which must lie in the tile or its margin.
func (l *layout) cellAt(px, py int64) int {
	return int(((py>>cellShift)+margin)*span + (px >> cellShift) + margin)
}

// coarsePrecision is the position of "admin2" in geo.GeoPrecisions: from it
// on, a location is an area, not a point.
const coarsePrecision = 2

// units is the position of incident i in the tile's units: 0 to Extent
// inside the tile, beyond on either side in its margin.
func (l *layout) units(ix *index, i int) (int64, int64) {
	return (int64(ix.x[i]) - int64(l.x0)) >> l.shift, (int64(ix.y[i]) - int64(l.y0)) >> l.shift
}

// tileUnits returns the position of incident i inside the tile.
func (l *layout) tileUnits(ix *index, i int) (float64, float64) {
	x, y := l.units(ix, i)
	return float64(x), float64(y)
}
