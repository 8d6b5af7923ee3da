package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// warmTiles caches like the tile service: Cached answers only a copy that
// Tile made before, and tiles with a text query come from "PostGIS".
type warmTiles struct {
	*fixedTiles
	mu   sync.Mutex
	made map[warmKey]bool
	hits int // answers of Cached
}

// warmKey is a cached copy: the tests' requests differ in their tile, text
// query or encoding.
type warmKey struct {
	tile    maptile.Tile
	query   string
	gzipped bool
}

func newWarmTiles() *warmTiles {
	return &warmTiles{fixedTiles: newFixedTiles(4000), made: map[warmKey]bool{}}
}

func (w *warmTiles) NeedsDatabase(f geo.Filter) bool { return f.Query != "" }

func (w *warmTiles) Tile(ctx context.Context, t maptile.Tile, f geo.Filter, gzipped bool) ([]byte, string, error) {
	w.mu.Lock()
	w.made[warmKey{t, f.Query, gzipped}] = true
	w.mu.Unlock()
	return w.fixedTiles.Tile(ctx, t, f, gzipped)
}

func (w *warmTiles) Cached(t maptile.Tile, f geo.Filter, gzipped bool) ([]byte, string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.made[warmKey{t, f.Query, gzipped}] {
		return nil, "", false
	}
	w.hits++
	body, etag, _ := w.fixedTiles.Tile(context.Background(), t, f, gzipped)
	return body, etag, true
}

func (w *warmTiles) hitCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits
}

// answer is what a client and the operator see of one request: the answer,
// the log line and the requests counted, by series.
type answer struct {
	status  int
	header  http.Header
	body    []byte
	log     map[string]any
	counted map[string]float64
}

// ask serves one request with h behind a real net/http server and collects
// its answer as a client reads it off the wire (but for Date): what
// net/http adds to a handler's answer, such as a Content-Length the
// handler left to it, is part of the answer.
func ask(t *testing.T, s *Server, logs *bytes.Buffer, h http.Handler, method, target string, header map[string]string) answer {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(method, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	before := requestCounts(t, s)
	logs.Reset()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}} // the Accept-Encoding asked, and the body as sent
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	res.Header.Del("Date")
	if res.ContentLength >= 0 && len(res.TransferEncoding) == 0 {
		res.Header.Set("Content-Length", strconv.FormatInt(res.ContentLength, 10)) // net/http's client moves it to the field when it is the body's
	}
	a := answer{status: res.StatusCode, header: res.Header, body: body, counted: requestCounts(t, s)}
	for k, v := range before {
		if a.counted[k] -= v; a.counted[k] == 0 {
			delete(a.counted, k)
		}
	}
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "request" {
			a.log = rec
		}
	}
	return a
}

// requestCounts is incidentmap_http_requests_total by series.
func requestCounts(t *testing.T, s *Server) map[string]float64 {
	t.Helper()
	families, err := s.metrics.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "incidentmap_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(labels, ",")] = m.GetCounter().GetValue()
		}
	}
	return out
}

// TestFastTilesAnswerAsEcho asks the same tile requests through the whole
// server (where cached tiles take the fast path) and through Echo alone,
// and wants the same answers, log lines and metrics from both.
func TestFastTilesAnswerAsEcho(t *testing.T) {
	var logs bytes.Buffer
	tiles := newWarmTiles()
	s := New(Config{Tiles: tiles, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now: func() time.Time { return time.Unix(1796300000, 0) }}) // one X-Accel-Expires for both paths
	const tile = "/tiles/8/126/118.mvt?datetime=2022-01-01/2022-12-31"
	etag := tiles.etag
	if len(tiles.gz) > netHTTPSetsLength || len(tiles.raw) <= netHTTPSetsLength {
		t.Fatalf("the tile is %d bytes gzipped and %d not: want one copy whose length net/http counts, one whose length the fast path sets",
			len(tiles.gz), len(tiles.raw))
	}
	gzip := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
	for _, tc := range []struct {
		name, method, target string
		header               map[string]string
		fast                 bool // the fast path answers
	}{
		{"gzip", http.MethodGet, tile, gzip, true},
		{"identity", http.MethodGet, tile, nil, true},
		{"gzip refused", http.MethodGet, tile, map[string]string{"Accept-Encoding": "gzip;q=0"}, true},
		{"no query", http.MethodGet, "/tiles/8/126/118.mvt", gzip, true},
		{"cross-origin", http.MethodGet, tile, map[string]string{"Origin": "https://news.example", "Accept-Encoding": "gzip"}, true},
		{"revalidated", http.MethodGet, tile, map[string]string{"If-None-Match": etag}, true},
		{"revalidated, weak, gzip", http.MethodGet, tile, map[string]string{"If-None-Match": `"x", W/` + etag, "Accept-Encoding": "gzip"}, true},
		{"changed since", http.MethodGet, tile, map[string]string{"If-None-Match": `"older"`}, true},
		{"request id given", http.MethodGet, tile, map[string]string{"X-Request-Id": "from-the-proxy"}, true},
		{"HEAD", http.MethodHead, tile, gzip, false},
		{"preflight", http.MethodOptions, tile, map[string]string{"Origin": "https://news.example", "Access-Control-Request-Method": "GET"}, false},
		{"built by PostGIS (rate limited)", http.MethodGet, "/tiles/8/126/118.mvt?q=market", gzip, false},
		{"trailing slash", http.MethodGet, "/tiles/8/126/118.mvt/?datetime=2022-01-01/2022-12-31", gzip, false},
		{"not a tile", http.MethodGet, "/tiles/8/x/118.mvt", nil, false},
		{"not parsed", http.MethodGet, "/tiles/9/252/236.mvt?datetime=2021-01-01/2021-12-31", gzip, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name != "not parsed" {
				ask(t, s, &logs, s, tc.method, tc.target, tc.header) // parse it, cache the tile
			}
			hits := tiles.hitCount()
			fast := ask(t, s, &logs, s, tc.method, tc.target, tc.header)
			if took := tiles.hitCount() > hits; took != tc.fast {
				t.Errorf("the fast path answered: %v, want %v", took, tc.fast)
			}
			echo := ask(t, s, &logs, s.echo, tc.method, tc.target, tc.header)
			if fast.status != echo.status {
				t.Errorf("status %d, Echo %d", fast.status, echo.status)
			}
			for _, a := range []answer{fast, echo} {
				id := a.header.Get("X-Request-Id")
				if want := tc.header["X-Request-Id"]; want != "" && id != want || want == "" && len(id) != 32 {
					t.Errorf("X-Request-Id %q", id)
				}
				if a.log != nil && a.log["id"] != id {
					t.Errorf("logged id %v, answered %q", a.log["id"], id)
				}
				a.header.Del("X-Request-Id")
				if a.log != nil {
					delete(a.log, "id")
					delete(a.log, "time")
					delete(a.log, "latency")
				}
			}
			if !maps.EqualFunc(fast.header, echo.header, slices.Equal) {
				t.Errorf("headers differ:\n fast %v\n Echo %v", fast.header, echo.header)
			}
			if !bytes.Equal(fast.body, echo.body) {
				t.Errorf("bodies differ: %d bytes, Echo %d", len(fast.body), len(echo.body))
			}
			if !maps.Equal(fast.counted, echo.counted) {
				t.Errorf("counted %v, Echo %v", fast.counted, echo.counted)
			}
			if !maps.Equal(fast.log, echo.log) {
				t.Errorf("logged %v, Echo %v", fast.log, echo.log)
			}
			if tc.fast && (fast.log == nil || len(fast.counted) != 1) {
				t.Errorf("a fast answer logged %v and counted %v: want a line and one request", fast.log, fast.counted)
			}
		})
	}
}
