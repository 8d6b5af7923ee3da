package tiles

import (
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// queryTile lays out tile t of the incidents that match f from PostGIS, in
// the bounded pool of database builds. The database sums up each cell of
// the layout grid and lists only the incidents shown one by one, so that
// memory grows with the tile's cells, not with its matches; the tile is
// the one the index would lay out for the same incidents. The index holds
// those incidents listed.
func (s *Service) queryTile(ctx context.Context, t maptile.Tile, f geo.Filter) (ix *index, l *layout, err error) {
	err = s.db.run(ctx, func(ctx context.Context) error {
		ix, l, err = s.groupTile(ctx, t, f)
		return err
	})
	return ix, l, err
}

// tileGrid is the layout grid of tile t, margin included, as the database
// builds it.
func tileGrid(t maptile.Tile) geo.TileGrid {
	return geo.TileGrid{Z: uint32(t.Z), X: t.X, Y: t.Y, Cells: grid, Margin: margin, Units: Extent, Detail: perCell}
}

func (s *Service) groupTile(ctx context.Context, t maptile.Tile, f geo.Filter) (*index, *layout, error) {
	l := newLayout(t)
	var b builder
	cellOf := map[string]int{} // of the incidents listed: at most span*span*perCell
	err := s.src.TileGroups(ctx, f, tileGrid(t), func(g geo.TileGroup) error {
		return l.addGroup(&g)
	}, func(cell int, sum geo.Summary) error {
		if cell < 0 || cell >= len(l.cells) || len(cellOf) >= span*span*perCell {
			return fmt.Errorf("tile %v: unexpected incident %s in cell %d", t, sum.ID, cell)
		}
		if sum.Geometry != nil {
			b.addSummary(&sum)
			cellOf[sum.ID] = cell
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	ix := b.finish()
	l.place(ix, cellOf)
	l.settleMargin()
	return ix, l, nil
}

// addGroup adds a group the database summed up to its cell.
func (l *layout) addGroup(g *geo.TileGroup) error {
	if g.Cell < 0 || g.Cell >= len(l.cells) || g.Count <= 0 {
		return fmt.Errorf("tile group of %d incidents in cell %d: no such cell", g.Count, g.Cell)
	}
	c := &l.cells[g.Cell]
	start, end := micros(g.FirstStart), micros(g.LastEnd)
	if c.n == 0 || start < c.start {
		c.start = start
	}
	if c.n == 0 || end > c.end {
		c.end = end
	}
	n := int32(min(g.Count, 1<<31-1))
	c.n += n
	c.sumX += g.SumX
	c.sumY += g.SumY
	c.fatalities += g.Fatalities
	c.types[max(slices.Index(eventTypeList, g.EventType), 0)] += n
	if max(slices.Index(geo.GeoPrecisions, g.GeoPrecision), 0) >= coarsePrecision {
		c.coarse += n
	}
	return nil
}

// place puts the listed incidents of ix into the layout, as scan would:
// the members of the cells shown one by one. A cell whose members did not
// all come (an incident without a geometry) shows those that did.
func (l *layout) place(ix *index, cellOf map[string]int) {
	var filled [span * span]int32
	for i := range ix.len() {
		k := cellOf[ix.id(i)]
		if c := &l.cells[k]; c.n <= perCell && filled[k] < c.n {
			c.members[filled[k]] = int32(i)
			filled[k]++
		}
	}
	for k := range l.cells {
		if c := &l.cells[k]; c.n <= perCell {
			c.n = filled[k]
		}
	}
}
