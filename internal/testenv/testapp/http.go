package testapp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Call sends a request with a bearer token (none when "") and returns its
// status and body. Unlike Do it may run on any goroutine: it returns its
// error.
func (a *App) Call(method, path, token string, body io.Reader) (int, []byte, error) {
	res, b, err := a.send(60*time.Second, method, path, token, body)
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, b, nil
}

// send sends a request with the given headers (name, value, ...) and reads
// the whole answer within timeout.
func (a *App) send(timeout time.Duration, method, path, token string, body io.Reader, header ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, a.URL+path, body)
	if err != nil {
		return nil, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

// Do sends a request with a body, a bearer token (none when "") and
// headers (name, value, ...) and returns the response with its body.
func (a *App) Do(t testing.TB, method, path, token string, body io.Reader, header ...string) (*http.Response, []byte) {
	t.Helper()
	res, b, err := a.send(60*time.Second, method, path, token, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res, b
}

// Get fetches path with headers (name, value, ...) and returns the
// response with its body.
func (a *App) Get(t testing.TB, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	res, b, err := a.send(30*time.Second, http.MethodGet, path, "", nil, header...)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, b
}

// GetJSON fetches path, expects status, and decodes the body into v (nil:
// not at all).
func (a *App) GetJSON(t testing.TB, path string, status int, v any) {
	t.Helper()
	res, body := a.Get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, res.StatusCode, status, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
}

// WaitTileIndex waits (up to 30 s) until /readyz reports the tile index
// loaded.
func (a *App) WaitTileIndex(t testing.TB) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		var r struct {
			TileIndex struct{ Ready bool } `json:"tile_index"`
		}
		status, body, err := a.Call(http.MethodGet, "/readyz", "", nil) // 503 while the index loads
		if err == nil && status == http.StatusOK && json.Unmarshal(body, &r) == nil && r.TileIndex.Ready {
			return
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("%s: tile index not ready after 30 s: %d %s %v", a.URL, status, body, err)
		}
	}
}

// FeatureCollection is the part of an items answer the tests read.
type FeatureCollection struct {
	Features []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	NumberMatched  int `json:"numberMatched"`
	NumberReturned int `json:"numberReturned"`
	Links          []struct {
		Href, Rel string
	} `json:"links"`
}

// IDs are the features' ids, in order.
func (fc FeatureCollection) IDs() []string {
	var out []string
	for _, f := range fc.Features {
		out = append(out, f.ID)
	}
	return out
}

// Link is the href of the link with relation rel, or "".
func (fc FeatureCollection) Link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// Incidents fetches /collections/incidents/items?query and expects 200.
func (a *App) Incidents(t testing.TB, query string) FeatureCollection {
	t.Helper()
	var fc FeatureCollection
	a.GetJSON(t, "/collections/incidents/items?"+query, http.StatusOK, &fc)
	return fc
}

// Q is a query string of name, value pairs.
func Q(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v.Encode()
}
