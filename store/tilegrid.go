package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"

	"github.com/lib/pq"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// tilePoint adds to a FROM clause over incidents i the world coordinates
// w.x and w.y (0 to 2^32-1) of each incident's point: the point itself, or
// the centre of the bounds of a line or area. The arithmetic is that of
// tiles/mercator.go (worldXY), in the same order, so that an incident falls
// in the same cell whether the index or PostgreSQL places it.
const tilePoint = `
	CROSS JOIN LATERAL (SELECT
		CASE WHEN ST_GeometryType(i.geom) = 'ST_Point' THEN ST_X(i.geom)
			ELSE (ST_XMin(i.geom::box3d) + ST_XMax(i.geom::box3d)) / 2 END AS lon,
		greatest(-85.05112878::float8, least(85.05112878::float8,
			CASE WHEN ST_GeometryType(i.geom) = 'ST_Point' THEN ST_Y(i.geom)
			ELSE (ST_YMin(i.geom::box3d) + ST_YMax(i.geom::box3d)) / 2 END)) AS lat) p
	CROSS JOIN LATERAL (SELECT sin(p.lat * pi() / 180) AS s) m
	CROSS JOIN LATERAL (SELECT
		least(greatest(floor((p.lon + 180) / 360 * 4294967296), 0), 4294967295)::bigint AS x,
		least(greatest(floor((0.5 - ln((1 + m.s) / (1 - m.s)) / (4 * pi())) * 4294967296), 0), 4294967295)::bigint AS y) w`

// gridQuery is the SQL of one tile grid.
type gridQuery struct {
	g     geo.TileGrid
	shift int // from world coordinates to world cells: cells of the grid over the whole world
}

// tileGrid adds to q a clause that keeps the incidents near g's tile and
// its margin, and returns the grid. The envelope lets the spatial index
// skip the rest of the world; the world cell of each row (cellXY) then
// decides, in Go, for a comparison of computed values in SQL misleads the
// planner. The envelope is widened a little, and reaches the poles on the
// top and bottom rows, whose points Web Mercator clamps.
func tileGrid(q *query, g geo.TileGrid) gridQuery {
	gq := gridQuery{g: g, shift: 32 - int(g.Z) - log2(g.Cells)}
	z := maptile.Zoom(int(g.Z) + log2(g.Cells)) // of the world cells
	last := int64(1)<<z - 1
	x0, y0, x1, y1 := gq.span()
	nw := maptile.New(uint32(max(x0, 0)), uint32(max(y0, 0)), z).Bound()
	se := maptile.New(uint32(min(x1, last)), uint32(min(y1, last)), z).Bound()
	const margin = 1e-6
	minLat, maxLat := se.Min[1]-margin, nw.Max[1]+margin
	if y0 <= 0 {
		maxLat = 90
	}
	if y1 >= last {
		minLat = -90
	}
	q.where("i.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", nw.Min[0]-margin, minLat, se.Max[0]+margin, maxLat)
	return gq
}

// span is the world cells the grid covers, x0..x1 and y0..y1 inclusive:
// the tile's and its margin's.
func (gq gridQuery) span() (x0, y0, x1, y1 int64) {
	c, m := int64(gq.g.Cells), int64(gq.g.Margin)
	x0, y0 = int64(gq.g.X)*c-m, int64(gq.g.Y)*c-m
	return x0, y0, x0 + c + 2*m - 1, y0 + c + 2*m - 1
}

// cellXY are the SQL expressions of the world cell of a row.
func (gq gridQuery) cellXY(q *query) string {
	shift := q.arg(gq.shift)
	return fmt.Sprintf("w.x >> %[1]s::int, w.y >> %[1]s::int", shift)
}

// units are the SQL expressions of a row's position in the tile's units,
// from its top-left corner.
func (gq gridQuery) units(q *query) (x, y string) {
	shift := q.arg(32 - int(gq.g.Z) - log2(gq.g.Units))
	units := int64(gq.g.Units)
	ox, oy := q.arg(int64(gq.g.X)*units), q.arg(int64(gq.g.Y)*units)
	return fmt.Sprintf("((w.x >> %s::int) - %s::bigint)", shift, ox),
		fmt.Sprintf("((w.y >> %s::int) - %s::bigint)", shift, oy)
}

// cell returns the cell of the grid that world cell (x, y) is, or false
// when it lies outside the tile and its margin.
func (gq gridQuery) cell(x, y int64) (int, bool) {
	x0, y0, x1, y1 := gq.span()
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return 0, false
	}
	return int((y-y0)*(x1-x0+1) + x - x0), true
}

func log2(n int) int { return bits.Len(uint(n)) - 1 }

// TileGroups sums up the published incidents that match f and lie in the
// tile of g or its margin (see geo.TileGrid), in one snapshot: group is
// called with the groups of every cell, then detail with the cell and
// summary of each incident listed one by one: those of the cells that
// hold at most g.Detail. Memory and rows read grow with the cells, not
// with the matches.
func (s *Store) TileGroups(ctx context.Context, f geo.Filter, g geo.TileGrid,
	group func(geo.TileGroup) error, detail func(cell int, s geo.Summary) error) error {
	if g.Cells <= 0 || g.Cells&(g.Cells-1) != 0 || g.Units < g.Cells || g.Units&(g.Units-1) != 0 ||
		int(g.Z)+log2(g.Units) > 32 || g.Margin < 0 || g.Margin > g.Cells {
		return fmt.Errorf("tile grid %+v: cells and units must be powers of two, units at most 2^(32-z), margin 0 to cells", g)
	}
	return transactOn(ctx, s.db, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, func(tx *sql.Tx) error {
		// The planner takes each computed cell for a group of its own: it
		// would sort every match to group them, where hashing the few
		// groups is cheap. And it would compile the expressions (JIT), which
		// takes longer than evaluating them.
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_sort = off; SET LOCAL jit = off`); err != nil {
			return translate(err)
		}
		side := g.Cells + 2*g.Margin
		perCell := make([]int, side*side)
		ids := make([][]string, side*side) // of the cells that may be listed
		total := 0
		err := tileGroups(ctx, tx, f, g, func(gr geo.TileGroup, minID, maxID string) error {
			perCell[gr.Cell] += gr.Count
			total += gr.Count
			if perCell[gr.Cell] <= g.Detail {
				ids[gr.Cell] = append(ids[gr.Cell], minID)
				if gr.Count > 1 {
					ids[gr.Cell] = append(ids[gr.Cell], maxID)
				}
			} else {
				ids[gr.Cell] = nil
			}
			return group(gr)
		})
		if err != nil || total == 0 {
			return err
		}
		var listed []string
		for _, cellIDs := range ids {
			listed = append(listed, cellIDs...)
		}
		if len(listed) == 0 {
			return nil
		}
		return tileDetails(ctx, tx, f, g, listed, detail)
	})
}

// tileGroups reads the groups of g's tile: one row per cell, event type
// and geo precision, with the least and greatest id of the group (a group
// of two or fewer has no other).
func tileGroups(ctx context.Context, tx *sql.Tx, f geo.Filter, g geo.TileGrid,
	fn func(gr geo.TileGroup, minID, maxID string) error) error {
	q := &query{}
	grid := tileGrid(q, g)
	unitX, unitY := grid.units(q)
	columns := fmt.Sprintf(`%s, i.event_type, i.geo_precision, count(*), sum(%s), sum(%s),
		coalesce(sum(greatest(i.fatalities_best, 0)), 0), min(i.starts_at), max(i.ends_at), min(i.id), max(i.id)`,
		grid.cellXY(q), unitX, unitY)
	from := incidentSource(q, f, columns)
	if err := q.filter(f); err != nil {
		return err
	}
	stmt := `SELECT ` + from + tilePoint + ` WHERE ` + q.sql() + ` GROUP BY 1, 2, 3, 4`
	rows, err := tx.QueryContext(ctx, stmt, q.args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var gr geo.TileGroup
		var x, y int64
		var minID, maxID string
		if err := rows.Scan(&x, &y, &gr.EventType, &gr.GeoPrecision, &gr.Count, &gr.SumX, &gr.SumY,
			&gr.Fatalities, &gr.FirstStart, &gr.LastEnd, &minID, &maxID); err != nil {
			return translate(err)
		}
		var in bool
		if gr.Cell, in = grid.cell(x, y); !in {
			continue
		}
		if err := fn(gr, minID, maxID); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// tileDetails reads the summaries and cells of the matches among ids in
// g's tile and its margin.
func tileDetails(ctx context.Context, tx *sql.Tx, f geo.Filter, g geo.TileGrid, ids []string,
	fn func(cell int, s geo.Summary) error) error {
	q := &query{}
	grid := tileGrid(q, g)
	from := incidentSource(q, f, summaryColumns+`, `+grid.cellXY(q))
	if err := q.filter(f); err != nil {
		return err
	}
	q.where("i.id = ANY(%s::text[])", pq.Array(ids))
	rows, err := tx.QueryContext(ctx, `SELECT `+from+tilePoint+` WHERE `+q.sql(), q.args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x, y int64
		sum, err := scanSummary(withWorldCell{rows, &x, &y})
		if err != nil {
			return translate(err)
		}
		if cell, in := grid.cell(x, y); in {
			if err := fn(cell, sum); err != nil {
				return err
			}
		}
	}
	return translate(rows.Err())
}

// withWorldCell scans a summary row followed by its world cell.
type withWorldCell struct {
	row  scanner
	x, y *int64
}

func (w withWorldCell) Scan(dest ...any) error { return w.row.Scan(append(dest, w.x, w.y)...) }
