package tiles_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
	"incidentmap/internal/cli"
	"incidentmap/internal/synth"
	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
	"incidentmap/store"
	"incidentmap/store/storetest"
	"incidentmap/tiles"
)

// Tiles whose filters the index does not hold (q, actor, admin1, as_of,
// status) are built from PostGIS. These tests pin that such a tile is the
// one the index lays out, that its memory grows with the tile's cells and
// not with its matches, and that the builds are bounded in number, queue
// and time.

// tileStore is a migrated store on a new database, and the database's URL.
func tileStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	dsn := testenv.NewDatabase(t)
	return storetest.Open(t, dsn), dsn
}

// addSynthetic loads n synthetic incidents of seed; every shapeEvery-th
// (when not 0) becomes a line or an area around its point, some crossing
// tile edges.
func addSynthetic(t *testing.T, st *store.Store, seed uint64, n, shapeEvery int) {
	t.Helper()
	next := synth.Incidents(seed, n)
	k := 0
	_, err := st.CopyIncidents(context.Background(), func() (*geo.Incident, bool, error) {
		in, ok, err := next()
		if !ok || err != nil {
			return in, ok, err
		}
		if k++; shapeEvery > 0 && k%shapeEvery == 0 {
			p := in.Geometry.(orb.Point)
			d := 0.0123456789 * float64(1+k%7)
			if k%(2*shapeEvery) == 0 {
				in.Geometry = orb.LineString{{p[0] - d, p[1] + d/3}, {p[0] + d, p[1] - d}}
			} else {
				in.Geometry = orb.Polygon{{{p[0] - d, p[1] - d}, {p[0] + d, p[1] - d}, {p[0], p[1] + d}, {p[0] - d, p[1] - d}}}
			}
		}
		return in, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// loadedTiles returns a tile service on st whose index is loaded, running
// until the test ends.
func loadedTiles(t *testing.T, st *store.Store, o tiles.Options) *tiles.Service {
	t.Helper()
	s := tiles.New(st, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ready, _ := s.Status(); ready {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatal("the tile index did not load within 60 s")
		}
	}
}

// tileFeatures decodes the incidents of a tile into one line per feature,
// sorted: its geometry and its properties.
func tileFeatures(t *testing.T, s *tiles.Service, tile maptile.Tile, f geo.Filter) []string {
	t.Helper()
	gz, _, err := s.Tile(context.Background(), tile, f, true)
	if err != nil {
		t.Fatalf("tile %v: %v", tile, err)
	}
	layers, err := mvt.UnmarshalGzipped(gz)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range layers {
		if l.Name != "incidents" {
			continue
		}
		for _, ft := range l.Features {
			var props []string
			for k, v := range ft.Properties {
				props = append(props, fmt.Sprintf("%s=%v", k, v))
			}
			slices.Sort(props)
			out = append(out, fmt.Sprintf("%s %v %s", ft.Geometry.GeoJSONType(), ft.Geometry, strings.Join(props, " ")))
		}
	}
	slices.Sort(out)
	return out
}

// throughDatabase is f as a filter the index does not hold that selects
// the same incidents: the published ones, or the data as it is now.
func throughDatabase(f geo.Filter, asOfNow bool) geo.Filter {
	if asOfNow {
		now := time.Now()
		f.AsOf = &now
	} else {
		f.Statuses = []string{geo.StatusPublished}
	}
	return f
}

func TestDatabaseTilesAreTheTilesOfTheIndex(t *testing.T) {
	st, _ := tileStore(t)
	ctx := context.Background()
	if err := cli.Seed(ctx, st, io.Discard); err != nil {
		t.Fatal(err)
	}
	addSynthetic(t, st, 7, 20000, 40)
	// Two services: the cache key of a tile does not hold statuses.
	fromIndex := loadedTiles(t, st, tiles.Options{})
	fromDatabase := loadedTiles(t, st, tiles.Options{})

	interval := func(s string) geo.Interval {
		iv, err := geo.ParseInterval("datetime", s)
		if err != nil {
			t.Fatal(err)
		}
		return iv
	}
	minFatalities := 5
	filters := map[string]geo.Filter{
		"everything":      {},
		"2023":            {Time: interval("2023-01-01/2023-12-31")},
		"March 2022":      {Time: interval("2022-03-01/2022-03-31")},
		"one day":         {Time: interval("2024-06-15/2024-06-15")},
		"battles in Mali": {EventTypes: []string{"battles"}, Countries: []string{"ML"}},
		"deadly":          {MinFatalities: &minFatalities, Time: interval("2021-01-01/..")},
	}
	places := []orb.Point{testapp.Moura, {-1.5, 12.4}, {2.1, 13.5}, {-8, 12.65}, {-4, 16}}
	compared, clusters, features, shapes := 0, 0, 0, 0
	for name, f := range filters {
		asOfNow := name == "2023" // the versions' path
		if fromIndex.NeedsDatabase(f) || !fromDatabase.NeedsDatabase(throughDatabase(f, asOfNow)) {
			t.Fatalf("%s: the index must hold the filter, not the filter with statuses or as_of", name)
		}
		for _, p := range places {
			for z := maptile.Zoom(0); z <= 14; z += 2 {
				tile := maptile.At(p, z)
				want := tileFeatures(t, fromIndex, tile, f)
				got := tileFeatures(t, fromDatabase, tile, throughDatabase(f, asOfNow))
				if !slices.Equal(got, want) {
					t.Errorf("%s, tile %d/%d/%d: PostGIS built %d features, the index %d; first differences:\n%s",
						name, z, tile.X, tile.Y, len(got), len(want), featureDiff(got, want))
				}
				compared++
				features += len(want)
				for _, ft := range want {
					if strings.Contains(ft, "cluster=true") {
						clusters++
					}
					if !strings.HasPrefix(ft, "Point") {
						shapes++
					}
				}
			}
		}
	}
	t.Logf("%d tiles compared: %d features, %d of them clusters, %d lines and areas", compared, features, clusters, shapes)
	if clusters == 0 || shapes == 0 {
		t.Errorf("%d clusters and %d lines or areas in %d tiles: the comparison misses some", clusters, shapes, compared)
	}
}

// featureDiff lists the first lines of got and want that the other lacks.
func featureDiff(got, want []string) string {
	var b strings.Builder
	n := 0
	for _, g := range got {
		if _, found := slices.BinarySearch(want, g); !found && n < 5 {
			fmt.Fprintf(&b, "  PostGIS only: %s\n", g)
			n++
		}
	}
	n = 0
	for _, w := range want {
		if _, found := slices.BinarySearch(got, w); !found && n < 5 {
			fmt.Fprintf(&b, "  index only:   %s\n", w)
			n++
		}
	}
	return b.String()
}

func TestDatabaseTileMemoryGrowsWithCellsNotMatches(t *testing.T) {
	st, _ := tileStore(t)
	s := loadedTiles(t, st, tiles.Options{})
	// allocated reports the bytes allocated while the z0 tile and a z4
	// tile of every synthetic incident are built from PostGIS (q is text
	// search: the index cannot answer it; a new window misses the cache).
	window := 0
	allocated := func() uint64 {
		window++
		start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -window)
		f := geo.Filter{Query: "synthetic", Time: geo.Interval{Start: &start}}
		if err := s.Sync(context.Background()); err != nil { // the index has taken the new incidents in
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, tile := range []maptile.Tile{maptile.New(0, 0, 0), maptile.At(testapp.Moura, 4)} {
			if _, _, err := s.Tile(context.Background(), tile, f, true); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	addSynthetic(t, st, 1, 5000, 0)
	few := allocated()
	addSynthetic(t, st, 2, 45000, 0)
	many := allocated()
	t.Logf("allocated %d KiB for 5,000 matches, %d KiB for 50,000", few>>10, many>>10)
	if many > few+few/2+1<<20 {
		t.Errorf("ten times the matches allocated %d KiB instead of %d KiB: memory follows the matches", many>>10, few>>10)
	}
}

// waitingOnLocks counts the queries of the database waiting for a lock.
func waitingOnLocks(t *testing.T, dsn string) int {
	t.Helper()
	var n int
	testenv.QueryRow(t, dsn, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`, &n)
	return n
}

func TestDatabaseTilesRunInABoundedPoolWithADeadline(t *testing.T) {
	st, dsn := tileStore(t)
	if err := cli.Seed(context.Background(), st, io.Discard); err != nil {
		t.Fatal(err)
	}
	o := tiles.Options{DBBuilds: 2, DBQueue: 2, DBWait: 300 * time.Millisecond, DBTimeout: 2 * time.Second}
	s := loadedTiles(t, st, o)
	release := testenv.LockTable(t, dsn, "incidents")

	const asked = 8
	type answer struct {
		err  error
		took time.Duration
	}
	answers := make(chan answer, asked)
	started := time.Now()
	for k := range asked {
		go func() {
			f := geo.Filter{Query: "moura", Time: geo.Interval{Start: day2020(1 + k)}}
			_, _, err := s.Tile(context.Background(), maptile.New(0, 0, 0), f, true)
			answers <- answer{err, time.Since(started)}
		}()
	}
	quick := 0
	for range asked {
		a := <-answers
		if code := geo.ErrorCode(a.err); code != geo.EUnavailable {
			t.Errorf("a tile past the pool or its deadline: %v (code %q), want an unavailable error", a.err, code)
		}
		if a.took < o.DBTimeout {
			quick++
		}
		if a.took > o.DBTimeout+5*time.Second {
			t.Errorf("a tile answered after %v: the deadline is %v", a.took, o.DBTimeout)
		}
	}
	if want := asked - o.DBBuilds; quick < want {
		t.Errorf("%d tiles failed before the builds' deadline, want the %d beyond the pool", quick, want)
	}
	// The builds past their deadline were cancelled in PostgreSQL too.
	for deadline := time.Now().Add(5 * time.Second); waitingOnLocks(t, dsn) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d queries still wait for the lock after their deadline", waitingOnLocks(t, dsn))
		}
	}
	release()
	f := geo.Filter{Query: "moura", Time: geo.Interval{Start: day2020(1)}}
	if _, _, err := s.Tile(context.Background(), maptile.New(0, 0, 0), f, true); err != nil {
		t.Errorf("once the database is free: %v", err)
	}
}

// day2020 is the start of a day of 2020, counted from 1 January.
func day2020(day int) *time.Time {
	t := time.Date(2020, 1, day, 0, 0, 0, 0, time.UTC)
	return &t
}
