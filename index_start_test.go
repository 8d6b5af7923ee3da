package main

import (
	"bufio"
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
	"incidentmap/internal/cli"
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
	dsn := storetest.NewDatabase(t)
	if err := cli.Run(context.Background(), []string{"seed"}, testEnv(dsn), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if more != "" {
		importSeq(t, dsn, more)
	}
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return dsn, st
}

func importSeq(t *testing.T, dsn, seq string) {
	t.Helper()
	err := cli.Run(context.Background(), []string{"import", "--format", "geojsonseq", "-"}, testEnv(dsn),
		strings.NewReader(seq), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
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
	web := httptest.NewServer(server.New(server.Config{Store: st, Tiles: index, Maps: maps}))
	defer web.Close()
	a := &app{base: web.URL}
	tile, _ := tilePath(moura, 3)

	res, body := a.get(t, "/readyz")
	var ready struct{ Status, Reason string }
	json.Unmarshal(body, &ready)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
		ready.Status != "loading" || !strings.Contains(ready.Reason, "tile index") {
		t.Errorf("readyz while loading: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	for _, path := range []string{tile, "/map.png?bbox=-5,14,-4,15"} {
		res, body := a.get(t, path)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s while loading: %d, Retry-After %q, %s", path, res.StatusCode, res.Header.Get("Retry-After"), body)
		}
	}
	if n := gated.tileScans.Load(); n != 0 {
		t.Errorf("%d tiles built from PostGIS while loading", n)
	}
	a.getJSON(t, "/collections/incidents/items?limit=3", http.StatusOK, nil)

	close(gated.open)
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if res, _ := a.get(t, "/readyz"); res.StatusCode == http.StatusOK {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatal("not ready 15 s after the load could start")
		}
	}
	a.tileLayers(t, tile)
	if res, _ := a.get(t, "/map.png?bbox=-5,14,-4,15"); res.StatusCode != http.StatusOK {
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
	dsn, st := openSeeded(t, shapesSeq)
	path := filepath.Join(t.TempDir(), "tiles", "index")
	stopServe := serveReady(t, func(k string) string {
		if k == "INCIDENTMAP_INDEX_SNAPSHOT" {
			return path
		}
		return testEnv(dsn)(k)
	})
	stopServe()
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		t.Fatalf("serve left no saved index: %v", err)
	}

	importSeq(t, dsn, "\x1e"+shapeFeature("after-the-save", `{"type":"Point","coordinates":[-3.1,15.2]}`))
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

// serveWithEnv runs `incidentmap serve` with env until its tile index is
// loaded, and returns a function that stops it and waits until it exited.
func serveReady(t *testing.T, env func(string) string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, nil, pw, io.Discard) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)
	a := &app{base: strings.TrimSpace(strings.TrimPrefix(line, "serving on "))}
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if res, _ := a.get(t, "/readyz"); res.StatusCode == http.StatusOK {
			break
		}
		if time.Since(start) > 30*time.Second {
			cancel()
			t.Fatal("serve not ready in 30 s")
		}
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}
