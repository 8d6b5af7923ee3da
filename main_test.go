package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/cli"
	"incidentmap/store/storetest"
)

// app is the whole program serving a freshly seeded database on 127.0.0.1.
type app struct {
	base string // http://127.0.0.1:PORT
	dsn  string
	env  func(string) string
}

// startApp seeds a new database and runs `incidentmap serve` on a free port
// until the test ends.
func startApp(t *testing.T) *app {
	t.Helper()
	return startAppOn(t, storetest.NewDatabase(t))
}

// startAppOn is startApp on the database at dsn.
func startAppOn(t *testing.T, dsn string) *app {
	t.Helper()
	a := &app{dsn: dsn, env: testEnv(dsn)}
	if err := cli.Run(context.Background(), []string{"seed"}, a.env, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return serveOn(t, dsn)
}

// testEnv is the environment of a test's commands: its database, and no
// drain on shutdown.
func testEnv(dsn string) func(string) string {
	return func(k string) string {
		switch k {
		case "DATABASE_URL":
			return dsn
		case "INCIDENTMAP_DRAIN":
			return "0s" // tests stop their servers at once
		}
		return ""
	}
}

// serveOn runs `incidentmap serve` on the database at dsn on a free port
// until the test ends. Several may serve one database.
func serveOn(t *testing.T, dsn string) *app {
	t.Helper()
	return serveOnWith(t, dsn, nil)
}

// serveOnWith is serveOn with settings of its own: extra's values replace
// the test environment's (DATABASE_READ_URL, INCIDENTMAP_EXPORT_IDLE, ...).
func serveOnWith(t *testing.T, dsn string, extra map[string]string) *app {
	t.Helper()
	return serveWithLog(t, dsn, extra, io.Discard)
}

// serveWithLog is serveOnWith with the server's log (its stderr) written
// to logs.
func serveWithLog(t *testing.T, dsn string, extra map[string]string, logs io.Writer) *app {
	t.Helper()
	base := testEnv(dsn)
	env := func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		return base(k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, nil, pw, logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)
	return &app{base: strings.TrimSpace(strings.TrimPrefix(line, "serving on ")), dsn: dsn, env: env}
}

// cli runs one incidentmap command against the app's database and returns
// its standard output.
func (a *app) cli(t *testing.T, stdin io.Reader, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := cli.Run(context.Background(), args, a.env, stdin, &out, io.Discard)
	return out.String(), err
}

// do sends a request with a body and returns the response with its body.
func (a *app) do(t *testing.T, method, path, token string, body io.Reader, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// get fetches path and returns the response with its body read.
func (a *app) get(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}

// getJSON fetches path, expects status, and decodes the body into v.
func (a *app) getJSON(t *testing.T, path string, status int, v any) {
	t.Helper()
	res, body := a.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, res.StatusCode, status, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
}

// featureCollection is the part of an items answer the tests read.
type featureCollection struct {
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

func (fc featureCollection) ids() []string {
	var out []string
	for _, f := range fc.Features {
		out = append(out, f.ID)
	}
	return out
}

func (fc featureCollection) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func (a *app) incidents(t *testing.T, query string) featureCollection {
	t.Helper()
	var fc featureCollection
	a.getJSON(t, "/collections/incidents/items?"+query, http.StatusOK, &fc)
	return fc
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func q(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v.Encode()
}
