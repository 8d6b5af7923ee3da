package tiles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

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

func TestDatabaseLayoutIsTheIndexLayout(t *testing.T) {
	src := &memorySource{}
	for i := range 20000 {
		s := summary(fmt.Sprintf("i%05d", i), -4+float64(i%200)*0.0013, 14+float64(i/200)*0.0011, "2022-01-01")
		s.EventType = eventTypeList[i%5]
		s.GeoPrecision = geo.GeoPrecisions[i%4]
		if i%97 == 0 {
			s.Geometry = orb.LineString{{-4.01 + float64(i%200)*0.0013, 14}, {-3.99, 14.02 + float64(i/200)*0.0011}}
		}
		src.summaries = append(src.summaries, s)
	}
	fromIndex, fromDatabase := loaded(t, src), loaded(t, src)
	published := geo.Filter{Statuses: []string{geo.StatusPublished}}
	for z := maptile.Zoom(0); z <= 16; z++ {
		tile := maptile.At(orb.Point{-3.9, 14.05}, z)
		want := features(decode(t, fromIndex, tile, geo.Filter{})["incidents"])
		got := features(decode(t, fromDatabase, tile, published)["incidents"])
		if !slices.Equal(got, want) {
			t.Errorf("z%d: %d features from the database's groups, %d from the index", z, len(got), len(want))
		}
	}
}

// features lists a layer's features, one sorted line each.
func features(l *mvt.Layer) []string {
	var out []string
	for _, f := range l.Features {
		out = append(out, fmt.Sprintf("%v %v", f.Geometry, f.Properties))
	}
	slices.Sort(out)
	return out
}

// blockingSource is a database that never answers a tile in time.
type blockingSource struct{ memorySource }

func (b *blockingSource) TileGroups(ctx context.Context, f geo.Filter, g geo.TileGrid,
	group func(geo.TileGroup) error, detail func(cell int, s geo.Summary) error) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestDatabaseBuildsBeyondThePoolOrTheirDeadlineAreUnavailable(t *testing.T) {
	o := Options{DBBuilds: 1, DBQueue: 1, DBWait: 50 * time.Millisecond, DBTimeout: 300 * time.Millisecond}
	s := New(&blockingSource{}, o)
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 3)
	for k := range 3 {
		go func() {
			f := geo.Filter{Query: fmt.Sprint("tile ", k)} // a build each
			_, _, err := s.Tile(context.Background(), maptile.New(0, 0, 0), f, true)
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; geo.ErrorCode(err) != geo.EUnavailable {
			t.Errorf("%v, want an unavailable error", err)
		}
	}
	// A caller that gives up while queued gets its own error, not a 503.
	ctx, cancel := context.WithCancel(context.Background())
	go s.Tile(context.Background(), maptile.New(0, 0, 0), geo.Filter{Query: "holds the slot"}, true) //nolint:errcheck // holds the slot; its answer is not awaited
	time.Sleep(20 * time.Millisecond)
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, _, err := s.Tile(ctx, maptile.New(0, 0, 0), geo.Filter{Query: "gives up"}, true); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while queued: %v", err)
	}
}

func TestNeedsDatabaseIsTheFiltersTheIndexDoesNotHold(t *testing.T) {
	s := New(&memorySource{}, Options{})
	asOf := time.Now()
	for f, want := range map[*geo.Filter]bool{
		{}: false, {EventTypes: []string{"battles"}, Countries: []string{"ML"}}: false,
		{Query: "moura"}: true, {Actors: []string{"JNIM"}}: true, {Admin1: []string{"Mopti"}}: true,
		{AsOf: &asOf}: true, {Statuses: []string{"draft"}}: true,
	} {
		if got := s.NeedsDatabase(*f); got != want {
			t.Errorf("%+v: NeedsDatabase %v, want %v", *f, got, want)
		}
	}
}
