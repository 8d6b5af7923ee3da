package geo

import "time"

// TileGrid asks the database to sum up the matches of a filter in one map
// tile cut into a grid, so that a tile of a million matches costs memory
// for its cells, not for its matches.
//
// An incident belongs to the tile and the cell that hold its point (the
// centre of the bounds of a line or area) in Web Mercator, where the world
// is 2^32 units a side, x east and y south: tile (Z, X, Y) is the square of
// side 2^(32-Z) at (X, Y) times that side, and Cells (a power of two) cells
// cut each of its sides. Cells are numbered row by row from the top left.
type TileGrid struct {
	Z, X, Y uint32
	Cells   int
	// Units is how many tile units one side of the tile has (a power of
	// two: 4096 for MVT); TileGroup sums positions in them.
	Units int
	// Margin is how many cells around the tile are summed up and listed
	// too: the grid then has Cells+2*Margin cells on a side, numbered row
	// by row from the one at the tile's top-left corner less Margin on
	// each axis, and positions are in the tile's units (negative, or past
	// Units, in the margin). Cells beyond the antimeridian or a pole hold
	// nothing.
	Margin int
	// Detail: the incidents of a cell holding at most Detail of them are
	// listed one by one.
	Detail int
}

// TileGroup sums up the incidents of one cell that share an event type
// and a geo precision.
type TileGroup struct {
	Cell                int
	EventType           string
	GeoPrecision        string
	Count               int
	SumX, SumY          int64 // positions in tile units, summed
	Fatalities          int64 // sum of the known fatalities_best
	FirstStart, LastEnd time.Time
}
