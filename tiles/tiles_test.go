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

// memorySource serves summaries from a slice, for tests of the tile logic
// alone (the PostGIS path is tested against a real database in
// database_test.go).
type memorySource struct {
	summaries []geo.Summary
	places    []geo.Place
	changes   []string
}

func (m *memorySource) EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error {
	for _, s := range m.summaries {
		if !f.Time.Overlaps(s.StartsAt, s.EndsAt) || (within != nil && !within.Contains(s.Geometry.Bound().Center())) {
			continue
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}

func (m *memorySource) Summaries(ctx context.Context, ids []string) ([]geo.Summary, error) {
	var out []geo.Summary
	for _, s := range m.summaries {
		if slices.Contains(ids, s.ID) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memorySource) ChangesSince(ctx context.Context, since int64, limit int) ([]string, int64, bool, error) {
	if int(since) >= len(m.changes) {
		return nil, since, false, nil
	}
	return m.changes[since:], int64(len(m.changes)), false, nil
}

func (m *memorySource) LastChange(ctx context.Context) (int64, error) {
	return int64(len(m.changes)), nil
}

func (m *memorySource) EstimateIncidents(ctx context.Context) (int, error) {
	return len(m.summaries), nil
}

func (m *memorySource) AllPlaces(ctx context.Context) ([]geo.Place, error) { return m.places, nil }

func (m *memorySource) Listen(ctx context.Context, fn func()) error { <-ctx.Done(); return nil }

func summary(id string, lon, lat float64, day string) geo.Summary {
	start, _ := time.Parse(time.DateOnly, day)
	best := 3
	return geo.Summary{ID: id, Title: "Incident " + id, Location: "Somewhere", Geometry: orb.Point{lon, lat},
		StartsAt: start, EndsAt: start.Add(24*time.Hour - time.Second), EventType: "battles",
		SubEventType: "armed_clash", Country: "ML", GeoPrecision: "exact", FatalitiesBest: &best}
}

// decode unzips and decodes a tile into its layers.
func decode(t *testing.T, s *Service, tile maptile.Tile, f geo.Filter) map[string]*mvt.Layer {
	t.Helper()
	gz, etag, err := s.Tile(context.Background(), tile, f, true)
	if err != nil {
		t.Fatal(err)
	}
	if etag == "" {
		t.Fatal("no etag")
	}
	return layersByName(t, gz)
}

// layersByName decodes a gzipped MVT tile.
func layersByName(t *testing.T, gz []byte) map[string]*mvt.Layer {
	t.Helper()
	layers, err := mvt.UnmarshalGzipped(gz)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range layers {
		out[l.Name] = l
	}
	return out
}

func loaded(t *testing.T, src *memorySource) *Service {
	t.Helper()
	s := New(src, Options{})
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func window(t *testing.T, s string) geo.Filter {
	iv, err := geo.ParseInterval("datetime", s)
	if err != nil {
		t.Fatal(err)
	}
	return geo.Filter{Time: iv}
}

func TestTileHoldsIncidentOnlyInItsWindow(t *testing.T) {
	src := &memorySource{summaries: []geo.Summary{summary("moura", -4.5997, 14.3261, "2022-03-27")}}
	s := loaded(t, src)
	tile := maptile.At(orb.Point{-4.5997, 14.3261}, 12)
	layers := decode(t, s, tile, window(t, "2022-03-27/2022-03-31"))
	if n := len(layers["incidents"].Features); n != 1 {
		t.Fatalf("March: %d features", n)
	}
	f := layers["incidents"].Features[0]
	if f.Properties["id"] != "moura" || f.Properties["event_type"] != "battles" || f.Properties["t0"] == nil {
		t.Errorf("properties %v", f.Properties)
	}
	if n := len(decode(t, s, tile, window(t, "2022-05-01/2022-05-31"))["incidents"].Features); n != 0 {
		t.Errorf("May: %d features", n)
	}
	if n := len(decode(t, s, maptile.At(orb.Point{10, 10}, 12), geo.Filter{})["incidents"].Features); n != 0 {
		t.Errorf("elsewhere: %d features", n)
	}
}

func TestBusyTilesClusterWithoutDroppingIncidents(t *testing.T) {
	src := &memorySource{}
	for i := 0; i < 20000; i++ {
		lon := -4 + float64(i%200)*0.001
		lat := 14 + float64(i/200)*0.001
		src.summaries = append(src.summaries, summary(fmt.Sprintf("i%05d", i), lon, lat, "2022-01-01"))
	}
	s := loaded(t, src)
	for z := 3; z <= 14; z++ {
		tile := maptile.At(orb.Point{-3.9, 14.05}, maptile.Zoom(z))
		layer := decode(t, s, tile, geo.Filter{})["incidents"]
		total, fatalities := 0, 0
		for _, f := range layer.Features {
			if f.Properties["cluster"] == true {
				total += int(f.Properties["count"].(float64))
				fatalities += int(f.Properties["fatalities"].(float64))
			} else {
				total++
				fatalities += int(f.Properties["fatalities_best"].(float64))
			}
		}
		inTile := 0
		for _, sum := range src.summaries {
			if tile.Bound().Contains(sum.Geometry.(orb.Point)) {
				inTile++
			}
		}
		if total != inTile || fatalities != 3*inTile {
			t.Errorf("z%d: tile accounts for %d incidents and %d deaths, want %d and %d", z, total, fatalities, inTile, 3*inTile)
		}
		if len(layer.Features) > grid*grid*perCell {
			t.Errorf("z%d: %d features", z, len(layer.Features))
		}
	}
}

func TestCollectionsAreSplitIntoFeatures(t *testing.T) {
	s := summary("multi", -4, 14, "2022-01-01")
	s.Geometry = orb.Collection{orb.Point{-4, 14}, orb.LineString{{-4.01, 14}, {-3.99, 14.01}}}
	srv := loaded(t, &memorySource{summaries: []geo.Summary{s}})
	layer := decode(t, srv, maptile.At(orb.Point{-4, 14}, 10), geo.Filter{})["incidents"]
	var types []string
	for _, f := range layer.Features {
		types = append(types, f.Geometry.GeoJSONType())
	}
	if !slices.Contains(types, "Point") || !slices.Contains(types, "LineString") {
		t.Errorf("features %v, want the point and the line", types)
	}
}

func TestChangesInvalidateExactlyTheirTiles(t *testing.T) {
	src := &memorySource{summaries: []geo.Summary{
		summary("a", -4.6, 14.3, "2022-03-27"),
		summary("b", 2.4, 15.9, "2022-03-27"),
	}}
	s := loaded(t, src)
	tileA := maptile.At(orb.Point{-4.6, 14.3}, 10)
	tileB := maptile.At(orb.Point{2.4, 15.9}, 10)
	decode(t, s, tileA, geo.Filter{})
	decode(t, s, tileB, geo.Filter{})
	if _, ok := s.cache.get(cacheKey(tileB, geo.Filter{}), tileB); !ok {
		t.Fatal("tile b not cached")
	}
	// a moves next to b
	src.summaries[0] = summary("a", 2.41, 15.91, "2022-03-27")
	src.changes = append(src.changes, "a")
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(decode(t, s, tileA, geo.Filter{})["incidents"].Features); n != 0 {
		t.Errorf("old tile of a still has %d features", n)
	}
	if n := len(decode(t, s, tileB, geo.Filter{})["incidents"].Features); n != 2 {
		t.Errorf("new tile of a has %d features, want 2", n)
	}
	other := maptile.At(orb.Point{-10, 12}, 10)
	decode(t, s, other, geo.Filter{})
	src.changes = append(src.changes, "b")
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.cache.get(cacheKey(other, geo.Filter{}), other); !ok {
		t.Error("a change far away dropped an unrelated tile")
	}
}

func TestPlacesCarryTheirHolderAtTheWindowEnd(t *testing.T) {
	d := func(s string) *geo.Date { v, _ := geo.ParseDate(s); return &v }
	gossi := geo.Place{ID: "gossi", Name: "Gossi", Kind: "military_base", Point: orb.Point{-1.3071, 15.8165},
		GeoPrecision: "exact", Control: []geo.ControlPeriod{
			{Holder: "France", To: d("2022-04-19")}, {Holder: "Mali", From: d("2022-04-19")}}}
	s := loaded(t, &memorySource{places: []geo.Place{gossi}})
	tile := maptile.At(gossi.Point, 10)
	holder := func(w string) any {
		l := decode(t, s, tile, window(t, w))["places"]
		if len(l.Features) != 1 {
			t.Fatalf("%d places", len(l.Features))
		}
		return l.Features[0].Properties["holder"]
	}
	if h := holder("2022-04-01/2022-04-30"); h != "Mali" {
		t.Errorf("end of April: %v", h)
	}
	if h := holder("2022-04-01/2022-04-18"); h != "France" {
		t.Errorf("18 April: %v", h)
	}
}

func TestMortonRangeHoldsExactlyTheTile(t *testing.T) {
	for _, p := range []orb.Point{{-4.6, 14.3}, {179.9, -84}, {-179.9, 84}, {0, 0}} {
		x, y := worldXY(p)
		code := morton(x, y)
		for z := maptile.Zoom(0); z <= MaxZoom; z++ {
			tile := maptile.At(p, z)
			lo, hi, toEnd := mortonRange(tile)
			if code < lo || (!toEnd && code >= hi) {
				t.Errorf("%v at z%d: code outside its tile's range", p, z)
			}
		}
	}
}

// TileGroups is the database's grouping done in Go over the slice (with
// the time filter only, as memorySource.EachSummary): each incident in the
// cell of its world point, in the tile or its margin, summed by cell,
// event type and geo precision.
func (m *memorySource) TileGroups(ctx context.Context, f geo.Filter, g geo.TileGrid,
	group func(geo.TileGroup) error, detail func(cell int, s geo.Summary) error) error {
	type key struct {
		cell         int
		et, precison string
	}
	groups := map[key]*geo.TileGroup{}
	perCell := map[int][]geo.Summary{}
	tileShift := 32 - int64(g.Z)
	cellShift := tileShift - int64(log2(g.Cells))
	unitShift := tileShift - int64(log2(g.Units))
	side := int64(g.Cells + 2*g.Margin)
	cx0, cy0 := int64(g.X)*int64(g.Cells)-int64(g.Margin), int64(g.Y)*int64(g.Cells)-int64(g.Margin)
	for _, s := range m.summaries {
		if !f.Time.Overlaps(s.StartsAt, s.EndsAt) || s.Geometry == nil {
			continue
		}
		p, ok := s.Geometry.(orb.Point)
		if !ok {
			p = s.Geometry.Bound().Center()
		}
		wx, wy := worldXY(p)
		x, y := int64(wx), int64(wy)
		col, row := x>>cellShift-cx0, y>>cellShift-cy0
		if col < 0 || row < 0 || col >= side || row >= side {
			continue
		}
		cell := int(row*side + col)
		k := key{cell, s.EventType, s.GeoPrecision}
		gr := groups[k]
		if gr == nil {
			gr = &geo.TileGroup{Cell: cell, EventType: s.EventType, GeoPrecision: s.GeoPrecision,
				FirstStart: s.StartsAt, LastEnd: s.EndsAt}
			groups[k] = gr
		}
		gr.Count++
		gr.SumX += x>>unitShift - int64(g.X)*int64(g.Units)
		gr.SumY += y>>unitShift - int64(g.Y)*int64(g.Units)
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
		if len(perCell[c]) > g.Detail {
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
