package tiles

import "github.com/paulmach/orb/maptile"

// Grid layout of a tile's incidents: the tile is cut into grid x grid cells;
// a cell holding at most perCell incidents shows them one by one, a busier
// cell becomes one cluster. A tile with at most allSingles incidents shows
// every one of them. A tile therefore has at most grid*grid*perCell
// features, whatever the data.
const (
	grid       = 32
	perCell    = 2
	allSingles = 256
	cellShift  = 7 // log2(Extent / grid)
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

// layout is the result of scanning one tile.
type layout struct {
	cells  [grid * grid]cell
	total  int
	first  []int32 // the first allSingles+1 matches
	x0, y0 uint32
	shift  uint
}

// scan lays out the incidents of ix inside tile t that pass m.
func scan(ix *index, t maptile.Tile, m *memFilter) *layout {
	l := &layout{}
	l.x0, l.y0, l.shift = tileOrigin(t)
	from, to := ix.search(mortonRange(t))
	if m.timeOnly() {
		// The common case, a window and nothing else, in a loop the
		// compiler keeps free of calls and bounds checks.
		w := m.window
		starts, ends := ix.start[from:to], ix.end[from:to]
		ends = ends[:len(starts)]
		for k, start := range starts {
			if w.Overlaps(start, ends[k]) {
				l.add(ix, from+k)
			}
		}
		return l
	}
	for i := from; i < to; i++ {
		if !m.match(ix, i) {
			continue
		}
		l.add(ix, i)
	}
	return l
}

func (l *layout) add(ix *index, i int) {
	px := int64((ix.x[i] - l.x0) >> l.shift)
	py := int64((ix.y[i] - l.y0) >> l.shift)
	c := &l.cells[(py>>cellShift)*grid+(px>>cellShift)]
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
	if l.total <= allSingles {
		l.first = append(l.first, int32(i))
	}
	l.total++
}

// coarsePrecision is the position of "admin2" in geo.GeoPrecisions: from it
// on, a location is an area, not a point.
const coarsePrecision = 2

// tileUnits returns the position of incident i inside the tile.
func (l *layout) tileUnits(ix *index, i int) (float64, float64) {
	return float64((ix.x[i] - l.x0) >> l.shift), float64((ix.y[i] - l.y0) >> l.shift)
}
