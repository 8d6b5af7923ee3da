package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb/maptile"
)

// fakeBasemap answers every tile with the same bytes.
type fakeBasemap struct{}

func (fakeBasemap) Tile(_ context.Context, t maptile.Tile) ([]byte, string, error) {
	return []byte("gzipped-tile"), `"basemap-etag"`, nil
}

// viewerServer serves the viewer's real sources (static/src: the page and
// the style template) with a fake basemap; no store is needed.
func viewerServer(t *testing.T, basemapStyle string) *Server {
	t.Helper()
	return New(Config{Static: os.DirFS("../static/src"), Basemap: fakeBasemap{}, BasemapStyle: basemapStyle})
}

func get(t *testing.T, s *Server, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestViewerPage(t *testing.T) {
	s := viewerServer(t, "")
	tests := []struct {
		name, target string
		header       []string
		status       int
		want         []string
	}{
		{"a browser gets the viewer", "/", []string{"Accept", "text/html"}, 200, []string{`<html lang="en" data-theme="auto">`, `/static/js/app.js`}},
		{"f=html gets the viewer", "/?f=html", nil, 200, []string{`id="incident-list"`}},
		{"lang=fr sets the document language", "/?f=html&lang=fr&theme=dark", nil, 200, []string{`<html lang="fr" data-theme="dark">`}},
		{"Accept-Language fr without lang", "/", []string{"Accept", "text/html", "Accept-Language", "fr-FR,fr;q=0.9"}, 200, []string{`lang="fr"`}},
		{"a permalink opens", "/?f=html&datetime=2022-03-27/2022-03-31&bbox=-5,14,-4,15&highlight=moura-2022-03&event_type=battles", nil, 200, nil},
		{"JSON clients get the landing page", "/?f=json", nil, 200, []string{`"links"`}},
		{"an unknown language", "/?f=html&lang=de", nil, 400, []string{`"parameter":"lang"`}},
		{"an unknown theme", "/?f=html&theme=pink", nil, 400, []string{`"parameter":"theme"`}},
		{"a hostile highlight", "/?f=html&highlight=%3Cscript%3E", nil, 400, []string{`"parameter":"highlight"`}},
		{"a list order", "/?f=html&order=oldest", nil, 200, nil},
		{"an unknown list order", "/?f=html&order=title", nil, 400, []string{`"parameter":"order"`}},
		{"a bad window", "/?f=html&datetime=tomorrow", nil, 400, []string{`"parameter":"datetime"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, tc.target, tc.header...)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			for _, w := range tc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %s", w)
				}
			}
			if tc.status == 200 && strings.Contains(rec.Header().Get("Content-Type"), "html") {
				csp := rec.Header().Get("Content-Security-Policy")
				for _, w := range []string{"default-src 'self'", "script-src 'self';", "connect-src 'self';", "worker-src 'self' blob:"} {
					if !strings.Contains(csp, w) {
						t.Errorf("CSP %q lacks %q", csp, w)
					}
				}
				if strings.Contains(csp, "unsafe") || strings.Contains(csp, "*") {
					t.Errorf("CSP %q allows too much", csp)
				}
				if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
					t.Error("no nosniff")
				}
			}
		})
	}
}

func TestViewerPlaceholderWhenNotBuilt(t *testing.T) {
	s := New(Config{Static: fstest.MapFS{".gitkeep": {}}})
	rec := get(t, s, "/", "Accept", "text/html")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "incidentmap") {
		t.Errorf("placeholder: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, s, "/style.json"); rec.Code != 404 {
		t.Errorf("style without a build: %d", rec.Code)
	}
	if rec := get(t, s, "/tiles/basemap/0/0/0.mvt"); rec.Code != 404 {
		t.Errorf("basemap without a build: %d", rec.Code)
	}
}

// style decodes /style.json.
func style(t *testing.T, s *Server, query string) map[string]any {
	t.Helper()
	rec := get(t, s, "/style.json"+query)
	if rec.Code != 200 {
		t.Fatalf("style.json%s: %d %s", query, rec.Code, rec.Body)
	}
	var st map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func layerByID(t *testing.T, st map[string]any, id string) map[string]any {
	t.Helper()
	for _, l := range st["layers"].([]any) {
		if l := l.(map[string]any); l["id"] == id {
			return l
		}
	}
	return nil
}

func TestStyle(t *testing.T) {
	s := viewerServer(t, "")
	leftovers := regexp.MustCompile(`"@[a-zA-Z_]+"|\{base\}|\{query\}|\{name\}`)
	for _, theme := range []string{"light", "dark"} {
		for _, lang := range []string{"en", "fr"} {
			rec := get(t, s, "/style.json?theme="+theme+"&lang="+lang)
			if m := leftovers.FindString(rec.Body.String()); m != "" {
				t.Errorf("%s/%s: the template left %s", theme, lang, m)
			}
		}
	}
	st := style(t, s, "?datetime=2022-03-27/2022-03-31&event_type=battles&bbox=-5,14,-4,15&lang=fr&theme=dark")
	if st["version"].(float64) != 8 {
		t.Errorf("version %v", st["version"])
	}
	sources := st["sources"].(map[string]any)
	tiles := sources["incidentmap"].(map[string]any)["tiles"].([]any)[0].(string)
	if tiles != "http://example.com/tiles/{z}/{x}/{y}.mvt?datetime=2022-03-27%2F2022-03-31&event_type=battles" {
		t.Errorf("incident tiles %s", tiles)
	}
	if b := sources["basemap"].(map[string]any)["tiles"].([]any)[0]; b != "http://example.com/tiles/basemap/{z}/{x}/{y}.mvt" {
		t.Errorf("basemap tiles %s", b)
	}
	points := marshalPlain(t, layerByID(t, st, "incident-points")["filter"])
	if !strings.Contains(points, `[">=",["get","t1"],19078]`) || !strings.Contains(points, `["<=",["get","t0"],19082]`) {
		t.Errorf("the window is not a filter: %s", points)
	}
	labels := marshalPlain(t, layerByID(t, st, "country-labels")["layout"])
	if !strings.Contains(labels, `"name_fr"`) || !strings.Contains(labels, `"dark"`) {
		t.Errorf("country labels: %s", labels)
	}
	if water := layerByID(t, st, "water")["paint"].(map[string]any)["background-color"]; water != "#0e1a22" {
		t.Errorf("dark water %v", water)
	}
	for q, status := range map[string]int{"?lang=xx": 400, "?theme=x": 400, "?datetime=nope": 400, "?f=json": 400} {
		if rec := get(t, s, "/style.json"+q); rec.Code != status {
			t.Errorf("%s: %d, want %d", q, rec.Code, status)
		}
	}
}

func TestStyleWithExternalBasemap(t *testing.T) {
	s := viewerServer(t, "https://tiles.example.org/styles/liberty.json")
	st := style(t, s, "")
	if _, ok := st["sources"].(map[string]any)["basemap"]; ok {
		t.Error("the built-in basemap source is still there")
	}
	if layerByID(t, st, "land") != nil || layerByID(t, st, "incident-points") == nil {
		t.Error("wrong layers with an external basemap")
	}
	if st["metadata"].(map[string]any)["incidentmap:basemap-style"] != "https://tiles.example.org/styles/liberty.json" {
		t.Errorf("metadata %v", st["metadata"])
	}
	csp := get(t, s, "/?f=html").Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' https://tiles.example.org;") {
		t.Errorf("CSP %s", csp)
	}
}

func TestStaticFiles(t *testing.T) {
	s := viewerServer(t, "")
	rec := get(t, s, "/static/js/app.js")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" || rec.Header().Get("ETag") == "" {
		t.Fatalf("app.js: %d %v", rec.Code, rec.Header())
	}
	if again := get(t, s, "/static/js/app.js", "If-None-Match", rec.Header().Get("ETag")); again.Code != 304 {
		t.Errorf("revalidation: %d", again.Code)
	}
	if css := get(t, s, "/static/app.css"); !strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") {
		t.Errorf("app.css: %s", css.Header().Get("Content-Type"))
	}
	for _, p := range []string{"/static/nope.js", "/static/../viewer.go", "/static/%2e%2e/viewer.go", "/static/"} {
		if rec := get(t, s, p); rec.Code != 404 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
}

func TestBasemapRoute(t *testing.T) {
	s := viewerServer(t, "")
	rec := get(t, s, "/tiles/basemap/3/3/3.mvt", "Accept-Encoding", "gzip")
	h := rec.Header()
	if rec.Code != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Content-Type") != mediaMVT ||
		h.Get("ETag") != `"basemap-etag"` || !strings.Contains(h.Get("Cache-Control"), "max-age") {
		t.Fatalf("%d %v", rec.Code, h)
	}
	if rec.Body.String() != "gzipped-tile" {
		t.Error("the tile was compressed twice")
	}
	if rec := get(t, s, "/tiles/basemap/3/3/3.mvt", "If-None-Match", `"basemap-etag"`); rec.Code != 304 {
		t.Errorf("revalidation: %d", rec.Code)
	}
	for p, status := range map[string]int{"/tiles/basemap/x/1/1.mvt": 400, "/tiles/basemap/1/1/1.png": 404,
		"/tiles/basemap/1/1/1.mvt?datetime=2022": 400} {
		if rec := get(t, s, p, "Accept-Encoding", "gzip"); rec.Code != status {
			t.Errorf("%s: %d, want %d", p, rec.Code, status)
		}
	}
}

// marshalPlain encodes v as JSON without escaping < and >.
func marshalPlain(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
