package tiles

import "math"

// Spacing: no two marks of the incidents layer overlap on screen, whatever
// the density. A cluster's disc stays inside its cluster cell (see
// clusters.go). A cluster cell that is not busy draws its incidents one by
// one, as dots (exact places) and rings (approximate ones), at their own
// positions unless that would crowd: a dot that would overlap another dot,
// in its cell or a neighbouring one, or reach into a neighbouring cell
// that holds any incident. A crowded cell draws its dots moved inward
// until each lies inside the cell (at most its own reach, 16 pixels), or
// one cluster when they would still overlap each other there.
//
// That is enough: a mark that reaches out of its cell reaches only into
// empty cells, and overlaps no dot drawn where it lies; every other mark
// lies inside its own cell. The decision for a cell reads only the cell
// and its eight neighbours as they are before any decision, which the
// layout's margin holds for the cells on a tile's edge, so neighbouring
// tiles agree on it.

// The dots and rings as the style draws them (static/src/style.json,
// layers incident-points and incident-approx), in pixels: strokes lie
// outside the radius.
const (
	dotStroke  = 1.5
	ringRadius = 9.0
	ringStroke = 2.5
)

// dotRadiusStops is the radius of an exact incident's dot by its deaths
// (fatalities_best, unknown as 0).
var dotRadiusStops = [][2]float64{{0, 5}, {100, 8}, {1000, 13}}

// clusterSide is how many cluster cells a layout has on a side, its
// margin's included.
const clusterSide = span / clusterSpan

// dot is an incident drawn alone: where, and how far around its point
// its mark, its stroke and half the gap between marks reach, in tile
// units; reach is 0 for a line or area, which draws no dot.
type dot struct {
	i           int32
	x, y, reach float64
}

// clusterArea is one cluster cell as first laid out: its incidents summed, and
// either busy (a layout cell holds more than perCell: one cluster) or the
// incidents it draws one by one.
type clusterArea struct {
	sum  cell
	busy bool
	dots []dot
}

// clusterAreas sums up l's cluster cells, margins included: clusterAreas[row][col],
// with the tile's cells at 1..clusterSide-2.
func clusterAreas(ix *index, l *layout) *[clusterSide][clusterSide]clusterArea {
	var out [clusterSide][clusterSide]clusterArea
	for k := range l.cells {
		a := &out[k/span/clusterSpan][k%span/clusterSpan]
		c := &l.cells[k]
		a.sum.merge(c)
		a.busy = a.busy || c.n > perCell
	}
	for k := range l.cells {
		a, c := &out[k/span/clusterSpan][k%span/clusterSpan], &l.cells[k]
		if a.busy {
			continue
		}
		for _, i := range c.members[:c.n] {
			x, y := l.tileUnits(ix, int(i))
			a.dots = append(a.dots, dot{i: i, x: x, y: y, reach: reach(ix, int(i))})
		}
	}
	return &out
}

// reach is how far around incident i's point its mark reaches on screen,
// in tile units (see dot), rounded up: positions in a tile are whole
// units, so a dot moved inside its cell stays inside once encoded.
func reach(ix *index, i int) float64 {
	if _, ok := ix.shapes[int32(i)]; ok {
		return 0
	}
	r := ringRadius + ringStroke
	if ix.attrs[i].precision == 0 { // exact
		r = piecewise(float64(max(ix.best[i], 0)), dotRadiusStops) + dotStroke
	}
	return math.Ceil((r + clusterGap/2) * unitsPerPixel)
}

// crowded reports whether the dots of the tile's cluster cell at row, col
// would overlap a mark if drawn where they are.
func crowded(as *[clusterSide][clusterSide]clusterArea, row, col int) bool {
	for _, d := range as[row][col].dots {
		if d.reach == 0 {
			continue
		}
		for r := row - 1; r <= row+1; r++ {
			for c := col - 1; c <= col+1; c++ {
				o := &as[r][c]
				if (r != row || c != col) && o.sum.n > 0 && d.reachesInto(r, c) {
					return true
				}
				for _, e := range o.dots {
					if e.i != d.i && e.reach > 0 && math.Hypot(d.x-e.x, d.y-e.y) < d.reach+e.reach {
						return true
					}
				}
			}
		}
	}
	return false
}

// reachesInto reports whether d's mark reaches into the cluster cell at
// row, col (of clusterAreas).
func (d dot) reachesInto(row, col int) bool {
	x0, y0 := float64((col-1)*clusterCell), float64((row-1)*clusterCell)
	dx := max(x0-d.x, 0, d.x-(x0+clusterCell))
	dy := max(y0-d.y, 0, d.y-(y0+clusterCell))
	return math.Hypot(dx, dy) < d.reach
}

// movedInside returns the dots of the cluster cell at row, col moved inward
// until each lies inside the cell, or false when two of them would
// overlap there.
func movedInside(dots []dot, row, col int) ([]dot, bool) {
	out := make([]dot, len(dots))
	x0, y0 := float64((col-1)*clusterCell), float64((row-1)*clusterCell)
	for k, d := range dots {
		if d.reach > 0 {
			d.x = min(max(d.x, x0+d.reach), x0+clusterCell-d.reach)
			d.y = min(max(d.y, y0+d.reach), y0+clusterCell-d.reach)
		}
		out[k] = d
		for _, e := range out[:k] {
			if d.reach > 0 && e.reach > 0 && math.Hypot(d.x-e.x, d.y-e.y) < d.reach+e.reach {
				return nil, false
			}
		}
	}
	return out, true
}
