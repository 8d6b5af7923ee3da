package tiles

import (
	"context"
	"slices"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// TileGroups is the database's grouping done in Go over the slice (with
// the time filter only, as memorySource.EachSummary): each incident in the
// cell of its world point, summed by cell, event type and geo precision.
func (m *memorySource) TileGroups(ctx context.Context, f geo.Filter, g geo.TileGrid,
	group func(geo.TileGroup) error, detail func(cell int, s geo.Summary) error) error {
	type key struct {
		cell         int
		et, precison string
	}
	groups := map[key]*geo.TileGroup{}
	perCell := map[int][]geo.Summary{}
	total := 0
	tileShift := 32 - g.Z
	cellShift := tileShift - uint32(log2(g.Cells))
	unitShift := tileShift - uint32(log2(g.Units))
	for _, s := range m.summaries {
		if !f.Time.Overlaps(s.StartsAt, s.EndsAt) || s.Geometry == nil {
			continue
		}
		p, ok := s.Geometry.(orb.Point)
		if !ok {
			p = s.Geometry.Bound().Center()
		}
		x, y := worldXY(p)
		if uint64(x)>>tileShift != uint64(g.X) || uint64(y)>>tileShift != uint64(g.Y) {
			continue
		}
		cell := int((y>>cellShift)&uint32(g.Cells-1))*g.Cells + int((x>>cellShift)&uint32(g.Cells-1))
		k := key{cell, s.EventType, s.GeoPrecision}
		gr := groups[k]
		if gr == nil {
			gr = &geo.TileGroup{Cell: cell, EventType: s.EventType, GeoPrecision: s.GeoPrecision,
				FirstStart: s.StartsAt, LastEnd: s.EndsAt}
			groups[k] = gr
		}
		gr.Count++
		gr.SumX += int64((x >> unitShift) & uint32(g.Units-1))
		gr.SumY += int64((y >> unitShift) & uint32(g.Units-1))
		if s.FatalitiesBest != nil && *s.FatalitiesBest > 0 {
			gr.Fatalities += int64(*s.FatalitiesBest)
		}
		if s.StartsAt.Before(gr.FirstStart) {
			gr.FirstStart = s.StartsAt
		}
		if s.EndsAt.After(gr.LastEnd) {
			gr.LastEnd = s.EndsAt
		}
		perCell[cell] = append(perCell[cell], s)
		total++
	}
	for _, gr := range groups {
		if err := group(*gr); err != nil {
			return err
		}
	}
	cells := slices.Sorted(func(yield func(int) bool) {
		for c := range perCell {
			if !yield(c) {
				return
			}
		}
	})
	for _, c := range cells {
		if total > g.DetailAll && len(perCell[c]) > g.Detail {
			continue
		}
		for _, s := range perCell[c] {
			if err := detail(c, s); err != nil {
				return err
			}
		}
	}
	return nil
}

func log2(n int) int {
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}
