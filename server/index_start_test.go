package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/internal/testenv/testapp"
	"incidentmap/render"
	"incidentmap/server"
	"incidentmap/store"
	"incidentmap/store/storetest"
	"incidentmap/tiles"
)

// gatedStore is the real store, but a full load of the tile index waits
// until open is closed; it counts full loads and tiles built from PostGIS.
type gatedStore struct {
	*store.Store
	open                 chan struct{}
	fullScans, tileScans atomic.Int32
}

func (g *gatedStore) EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error {
	if within != nil {
		g.tileScans.Add(1)
	} else {
		g.fullScans.Add(1)
		select {
		case <-g.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.Store.EachSummary(ctx, f, within, fn)
}

// openSeeded opens a new database holding the seed, and more when given
// (a GeoJSONSeq import).
func openSeeded(t *testing.T, more string) (string, *store.Store) {
	t.Helper()
	dsn := testapp.Seeded(t)
	if more != "" {
		importSeq(t, dsn, more)
	}
	return dsn, storetest.Open(t, dsn)
}

func importSeq(t *testing.T, dsn, seq string) {
	t.Helper()
	testapp.Run(t, dsn, strings.NewReader(seq), "import", "--format", "geojsonseq", "-")
}

// While the tile index loads, /readyz answers 503 with Retry-After and
// says why; tiles and static maps answer 503 with Retry-After rather than
// scan PostGIS; pages of items still answer (from PostGIS, one page).
// Once loaded, all answer 200.
func TestNotReadyWhileTheTileIndexLoads(t *testing.T) {
	_, st := openSeeded(t, "")
	gated := &gatedStore{Store: st, open: make(chan struct{})}
	index := tiles.New(gated, tiles.Options{LoadWait: 50 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go index.Run(ctx)
	maps, err := render.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(server.New(server.Config{Incidents: st, Places: st, Editor: st, Auth: st, History: st, Importer: st, MapData: st, Ready: st,
		Tiles: index, Maps: maps}))
	defer web.Close()
	a := &testapp.App{URL: web.URL}
	tile, _ := testapp.TilePath(testapp.Moura, 3)

	res, body := a.Get(t, "/readyz")
	var ready struct{ Status, Reason string }
	_ = json.Unmarshal(body, &ready) // not JSON: it stays empty, which the check below reports
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
		ready.Status != "loading" || !strings.Contains(ready.Reason, "tile index") {
		t.Errorf("readyz while loading: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	for _, path := range []string{tile, "/map.png?bbox=-5,14,-4,15"} {
		res, body := a.Get(t, path)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s while loading: %d, Retry-After %q, %s", path, res.StatusCode, res.Header.Get("Retry-After"), body)
		}
	}
	if n := gated.tileScans.Load(); n != 0 {
		t.Errorf("%d tiles built from PostGIS while loading", n)
	}
	a.GetJSON(t, "/collections/incidents/items?limit=3", http.StatusOK, nil)

	close(gated.open)
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if res, _ := a.Get(t, "/readyz"); res.StatusCode == http.StatusOK {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatal("not ready 15 s after the load could start")
		}
	}
	a.TileLayers(t, tile)
	if res, _ := a.Get(t, "/map.png?bbox=-5,14,-4,15"); res.StatusCode != http.StatusOK {
		t.Errorf("map.png once loaded: %d", res.StatusCode)
	}
}

// allSummaries lists what an index holds, by id.
func allSummaries(t *testing.T, index *tiles.Service) []string {
	t.Helper()
	var out []string
	_, _, ok := index.EachSummary(geo.Filter{}, 0, func(s geo.Summary) {
		b, _ := json.Marshal(s)
		out = append(out, string(b))
	})
	if !ok {
		t.Fatal("the index is not loaded")
	}
	slices.Sort(out)
	return out
}

// loadIndex runs a tile service on src until the test ends and waits
// until its index is loaded.
func loadIndex(t *testing.T, src tiles.Source, path string) *tiles.Service {
	t.Helper()
	index := tiles.New(src, tiles.Options{SnapshotPath: path})
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go index.Run(ctx)
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		if ready, _ := index.Status(); ready {
			return index
		}
		if time.Since(start) > 30*time.Second {
			t.Fatal("the index did not load in 30 s")
		}
	}
}

// `serve` with INCIDENTMAP_INDEX_SNAPSHOT saves its tile index; the next
// start on the same database reads it instead of PostGIS and applies the
// writes made since, ending equal to a fresh load; a start on another
// database refuses the file and loads from PostGIS.
func TestTileIndexStartsFromItsSavedFile(t *testing.T) {
	dsn, st := openSeeded(t, testapp.ShapesSeq)
	path := filepath.Join(t.TempDir(), "tiles", "index")
	stopServe := serveReady(t, func(k string) string {
		if k == "INCIDENTMAP_INDEX_SNAPSHOT" {
			return path
		}
		return testapp.Env(dsn)(k)
	})
	stopServe()
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		t.Fatalf("serve left no saved index: %v", err)
	}

	importSeq(t, dsn, "\x1e"+testapp.ShapeFeature("after-the-save", `{"type":"Point","coordinates":[-3.1,15.2]}`))
	gated := &gatedStore{Store: st, open: make(chan struct{})} // a full load would block
	fromFile := loadIndex(t, gated, path)
	fresh := loadIndex(t, st, "")
	got, want := allSummaries(t, fromFile), allSummaries(t, fresh)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the index read from its file and rolled forward (%d incidents) differs from a fresh load (%d)", len(got), len(want))
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, `"after-the-save"`) }) {
		t.Error("the write made after the save is missing")
	}

	_, other := openSeeded(t, "")
	elsewhere := &gatedStore{Store: other, open: make(chan struct{})}
	close(elsewhere.open)
	foreign := loadIndex(t, elsewhere, path)
	if n := elsewhere.fullScans.Load(); n != 1 {
		t.Errorf("another database: %d full loads, want 1", n)
	}
	if got, want := allSummaries(t, foreign), allSummaries(t, loadIndex(t, other, "")); !reflect.DeepEqual(got, want) {
		t.Error("another database: the index differs from a fresh load of it")
	}
}

// serveReady runs `incidentmap serve` with env until its tile index is
// loaded, and returns a function that stops it and waits until it exited.
func serveReady(t *testing.T, env func(string) string) (stop func()) {
	t.Helper()
	url, stopServe := testapp.ServeEnv(t, env, io.Discard)
	a := &testapp.App{URL: url}
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if res, _ := a.Get(t, "/readyz"); res.StatusCode == http.StatusOK {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("serve not ready in 30 s (stopped: %v)", stopServe())
		}
	}
	return func() {
		if err := stopServe(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}
