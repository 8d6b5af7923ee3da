package static_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"incidentmap/internal/testenv/testapp"
)

// TestPublishedArchiveInBrowser publishes the Moura view from the seeded
// database with `incidentmap publish`, then, with no incidentmap server
// running, serves the folder with a plain static file server and opens it:
// Moura is listed with its claims and sources and drawn on the map, and the
// page asks nothing of anyone but the static server.
func TestPublishedArchiveInBrowser(t *testing.T) {
	dsn := testapp.Seeded(t)
	b := newBrowser(t, 1280, 1000)
	out := filepath.Join(t.TempDir(), "moura")
	testapp.Run(t, dsn, nil, "publish", "--out", out,
		"--datetime", "2022-03-27/2022-03-31", "--bbox", "-5.3,13.8,-3.9,14.9", "--lang", "en")

	var mu sync.Mutex
	served := map[string]bool{}
	files := http.FileServer(http.Dir(out))
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served[r.URL.Path] = true
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	defer static.Close()

	b.run(t, chromedp.Navigate(static.URL+"/"))
	b.waitFor(t, `window.__archive !== undefined`)
	var errs []string
	b.eval(t, `Promise.race([window.__archive.ready.then(() => window.__archive.errors),
		new Promise((done) => setTimeout(() => done(["the map and the list were not ready in 60s"]), 60000))])`, &errs)
	if len(errs) > 0 {
		t.Fatalf("the archive page failed: %v", errs)
	}
	if list := b.text(t, "#list"); !strings.Contains(list, "Moura") || !strings.Contains(list, "Human Rights Watch") ||
		!strings.Contains(list, "Malian government") {
		t.Errorf("the list lacks Moura, its claims or its sources:\n%s", list)
	}
	if h1 := b.text(t, "h1"); !strings.Contains(h1, "Moura") {
		t.Errorf("the heading is %q", h1)
	}
	var drawn []string
	b.eval(t, `(() => { const m = window.__archive.map;
		const layers = ['incident-points', 'incident-approx', 'incident-areas'].filter((l) => m.getLayer(l));
		return m.queryRenderedFeatures({ layers }).map((f) => f.properties.location || ''); })()`, &drawn)
	if !containsAny(drawn, "Moura") {
		t.Errorf("the map does not draw Moura: %v", drawn)
	}
	var land int
	b.eval(t, `window.__archive.map.queryRenderedFeatures({ layers: ['land'] }).length`, &land)
	if land == 0 {
		t.Error("the map draws no land: the basemap archive was not read")
	}
	b.screenshot(t, "archive-moura.png")
	for _, v := range b.axe(t) {
		t.Errorf("axe: %s", v)
	}

	b.mu.Lock()
	for _, raw := range b.requests {
		if !strings.HasPrefix(raw, static.URL+"/") && !strings.HasPrefix(raw, "data:") && !strings.HasPrefix(raw, "blob:") {
			t.Errorf("a request went elsewhere than the static server: %s", raw)
		}
	}
	for _, e := range b.errors {
		t.Errorf("the page logged an error: %s", e)
	}
	b.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"/incidents.pmtiles", "/basemap.pmtiles", "/style.json", "/incidents.geojson"} {
		if !served[want] {
			t.Errorf("the page never read %s (it read %v)", want, served)
		}
	}
}
