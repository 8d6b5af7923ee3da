package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

// syncBuffer is a buffer the server's logger writes to while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveLogged serves a freshly seeded database, with the server's log
// (its stderr) kept in the returned buffer, once its tile index is loaded.
func serveLogged(t *testing.T) (*testapp.App, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	a := testapp.ServeWithLog(t, testapp.Seeded(t), nil, logs)
	a.WaitTileIndex(t)
	return a, logs
}

// getRaw fetches path with the given headers and no transparent gzip: the
// body is what came over the wire.
func getRaw(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// requestLines are the server's "request" log lines for path.
func requestLines(logs string, path string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(logs, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "request" && rec["path"] == path {
			out = append(out, rec)
		}
	}
	return out
}

func TestTilesWithoutGzip(t *testing.T) {
	a, logs := serveLogged(t)
	path, _ := testapp.TilePath(testapp.Moura, 10)
	path += "?datetime=2022-03-01/2022-03-31"

	gzRes, gz := getRaw(t, a.URL+path, "Accept-Encoding", "gzip")
	if gzRes.StatusCode != http.StatusOK || gzRes.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %d, Content-Encoding %q", gzRes.StatusCode, gzRes.Header.Get("Content-Encoding"))
	}
	want, err := gunzipBytes(gz)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the first identity answer makes the identity copy, the second reads it
		res, body := getRaw(t, a.URL+path, "Origin", "https://news.example")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("identity answer %d: %d, Content-Encoding %q", i+1, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		if !bytes.Equal(body, want) {
			t.Fatalf("identity answer %d (%d bytes) is not the gunzipped gzip answer (%d bytes)", i+1, len(body), len(want))
		}
		for name, want := range map[string]string{
			"Content-Type":                "application/vnd.mapbox-vector-tile",
			"ETag":                        gzRes.Header.Get("ETag"),
			"Vary":                        "Accept-Encoding",
			"Cache-Control":               "public, no-cache",
			"Access-Control-Allow-Origin": "*",
			"X-Content-Type-Options":      "nosniff",
		} {
			if got := strings.Join(res.Header.Values(name), ", "); !strings.Contains(got, want) {
				t.Errorf("identity answer %d: %s %q, want %q", i+1, name, got, want)
			}
		}
		if res.Header.Get("X-Request-Id") == "" || !strings.HasPrefix(res.Header.Get("X-Accel-Expires"), "@") {
			t.Errorf("identity answer %d lacks X-Request-Id or X-Accel-Expires: %v", i+1, res.Header)
		}
	}
	if res, body := getRaw(t, a.URL+path, "If-None-Match", gzRes.Header.Get("ETag")); res.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match without gzip: %d, %d bytes", res.StatusCode, len(body))
	}

	t.Run("metrics count every tile answer", func(t *testing.T) {
		_, body := a.Get(t, "/metrics")
		for _, want := range []string{
			`incidentmap_http_requests_total{code="200",method="GET",route="/tiles/:z/:x/:y"} 3`,
			`incidentmap_http_requests_total{code="304",method="GET",route="/tiles/:z/:x/:y"} 1`,
			`incidentmap_http_request_duration_seconds_count{method="GET",route="/tiles/:z/:x/:y"} 4`,
		} {
			if !strings.Contains(string(body), want+"\n") {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
	t.Run("quick tile answers are not logged at Info, tile errors are", func(t *testing.T) {
		bad := "/tiles/3/1/1.mvt"
		if res, _ := a.Get(t, bad+"?datetime=tomorrow"); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad tile: %d", res.StatusCode)
		}
		a.Get(t, "/collections")
		tilePathOnly, _, _ := strings.Cut(path, "?")
		deadline := time.Now().Add(5 * time.Second)
		for len(requestLines(logs.String(), "/collections")) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond) // the line is written after the answer
		}
		text := logs.String()
		if n := len(requestLines(text, tilePathOnly)); n != 0 {
			t.Errorf("%d log lines for quick tile answers (200 and 304), want none at the default level", n)
		}
		lines := requestLines(text, bad)
		if len(lines) != 1 || lines[0]["status"] != float64(http.StatusBadRequest) || lines[0]["id"] == "" {
			t.Errorf("the bad tile request's log lines: %v", lines)
		}
		if len(requestLines(text, "/collections")) != 1 {
			t.Error("other requests are no longer logged")
		}
	})
}

func gunzipBytes(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
