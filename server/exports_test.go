package server_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

// TestExportsAreBounded pins that no export, whatever its parameters or its
// reader's pace, buys unbounded work or holds what interactive reads need:
// offsets are capped, huge limits stream, each client runs at most two
// exports, the server at most half its read pool (10), and a reader that
// stops is cut after the idle timeout (2 s here), giving back its slot.
// Exports filtered by q are listed by PostGIS, the others by the index.
func TestExportsAreBounded(t *testing.T) {
	dsn := testapp.SeededWith(t, 20000, "3")
	a := testapp.ServeWith(t, dsn, map[string]string{"INCIDENTMAP_EXPORT_IDLE": "2s"})
	a.WaitTileIndex(t) // "the index pages on" needs the index: until it loads, PostGIS answers
	const items = "/collections/incidents/items"

	t.Run("PostGIS refuses an offset past 10,000 with 400 naming offset; the index pages on", func(t *testing.T) {
		for _, f := range []string{"json", "csv", "geojsonseq", "html"} {
			res, body := a.Get(t, items+"?f="+f+"&offset=10001&q=synthetic")
			var e struct{ Parameter, Description string }
			_ = json.Unmarshal(body, &e) // not JSON: it stays empty, which the check below reports
			if res.StatusCode != http.StatusBadRequest || e.Parameter != "offset" || !strings.Contains(e.Description, "narrow the filters") {
				t.Errorf("f=%s&offset=10001&q=synthetic: %d %s", f, res.StatusCode, body)
			}
		}
		for _, filter := range []string{"", "&q=synthetic"} { // the index, PostGIS
			if res, body := a.Get(t, items+"?offset=10000&limit=5"+filter); res.StatusCode != http.StatusOK {
				t.Errorf("offset=10000%s: %d %s", filter, res.StatusCode, body)
			}
		}
		// The index answers any offset in milliseconds: a client following
		// next links (GDAL, QGIS) reads the whole collection.
		for _, f := range []string{"json", "csv"} {
			if res, body := a.Get(t, items+"?f="+f+"&offset=15000&limit=5"); res.StatusCode != http.StatusOK {
				t.Errorf("f=%s&offset=15000 from the index: %d %s", f, res.StatusCode, body)
			}
		}
	})

	t.Run("a huge limit exports every match, from the index and from PostGIS", func(t *testing.T) {
		all := a.Incidents(t, "limit=1").NumberMatched
		for _, filter := range []string{"", "&q=synthetic"} {
			res, body := a.Get(t, items+"?f=csv&limit=2147483647"+filter, "X-Forwarded-For", "203.0.113.200")
			rows := strings.Count(string(body), "\n") - 1 // less the header; no field holds a newline
			if res.StatusCode != http.StatusOK || (filter == "" && rows != all) || rows < 20000 {
				t.Errorf("f=csv&limit=2147483647%s: %d, %d rows of %d", filter, res.StatusCode, rows, all)
			}
		}
	})

	t.Run("a third concurrent export from one client gets 429", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		for range 2 {
			if res := startExport(t, ctx, a, items+"?f=csv&q=synthetic", "203.0.113.1", 20<<10); res.StatusCode != http.StatusOK {
				t.Fatalf("export: %d", res.StatusCode)
			}
		}
		res, body := a.Get(t, items+"?f=geojsonseq", "X-Forwarded-For", "203.0.113.1")
		var e struct{ Code string }
		if err := json.Unmarshal(body, &e); err != nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || e.Code == "" {
			t.Errorf("third export: %d, Retry-After %q: %s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if res, _ := a.Get(t, items+"?f=csv&limit=5", "X-Forwarded-For", "203.0.113.2"); res.StatusCode != http.StatusOK {
			t.Errorf("another client's export: %d", res.StatusCode)
		}
	})

	t.Run("the operator's own exports (loopback, not forwarded) are not capped per client", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		for i := range 3 {
			if res := startExport(t, ctx, a, items+"?f=csv&q=synthetic", "", 20<<10); res.StatusCode != http.StatusOK {
				t.Errorf("operator's export %d: %d", i+1, res.StatusCode)
			}
		}
	})

	t.Run("with every export slot taken by slow readers, a search still answers", func(t *testing.T) {
		waitForExportSlot(t, a, "203.0.113.1") // the last tests' readers have hung up
		time.Sleep(time.Second)
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := startExport(t, ctx, a, items+"?f=csv&q=synthetic", fmt.Sprintf("198.51.100.%d", i), 2<<10)
				mu.Lock()
				statuses[res.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[http.StatusOK] != 32 || statuses[http.StatusServiceUnavailable] != 8 {
			t.Errorf("40 exports from 40 clients: %v, want 32 running and 8 refused with 503", statuses)
		}
		began := time.Now()
		res, body := a.Get(t, items+"?q=moura&limit=5")
		if res.StatusCode != http.StatusOK || time.Since(began) > 10*time.Second {
			t.Errorf("search beside 32 slow exports: %d after %v: %.200s", res.StatusCode, time.Since(began), body)
		}
	})

	t.Run("a reader that stops is cut, and its slot and connection come back", func(t *testing.T) {
		db, err := sql.Open("postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		var stalled []*http.Response
		for _, filter := range []string{"&q=synthetic", ""} { // PostGIS, then the index
			res := startExport(t, ctx, a, items+"?f=csv"+filter, "203.0.113.3", 0)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("export: %d", res.StatusCode)
			}
			stalled = append(stalled, res) //nolint:bodyclose // startExport closes it in t.Cleanup; it is read below
		}
		time.Sleep(500 * time.Millisecond) // the server fills the socket buffers and blocks
		if n := heldSessions(t, db); n != 0 {
			t.Errorf("%d database sessions held in a transaction while the two readers stall", n)
		}
		if res, _ := a.Get(t, items+"?f=csv&limit=1", "X-Forwarded-For", "203.0.113.3"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a third export beside the two stalled ones: %d, want 429", res.StatusCode)
		}
		waitForExportSlot(t, a, "203.0.113.3")
		time.Sleep(3 * time.Second) // the idle timeout (2 s) of the other stalled export, which may have begun later
		for i, res := range stalled {
			if n, err := io.Copy(io.Discard, res.Body); err == nil {
				t.Errorf("stalled export %d was read to its end (%d bytes): it should have been cut", i, n)
			}
		}
		if n := heldSessions(t, db); n != 0 {
			t.Errorf("%d database sessions still held after the cut", n)
		}
	})
}

// startExport sends GET path as client (X-Forwarded-For, from loopback: a
// trusted proxy; "": the operator, not forwarded) and returns the response once its headers are in. Unless
// it failed, a goroutine then reads the body at about rate bytes a second
// (0: not at all) until ctx ends. Compression is off, so that the body is
// as large as the export.
func startExport(t *testing.T, ctx context.Context, a *testapp.App, path, client string, rate int) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if client != "" {
		req.Header.Set("X-Forwarded-For", client)
	}
	tr := &http.Transport{DisableCompression: true, DisableKeepAlives: true, ResponseHeaderTimeout: 20 * time.Second}
	if rate == 0 { // a small receive buffer: loopback's would otherwise grow to hold a whole export (32 MB here)
		tr.DialContext = (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10) }); cerr != nil {
				return cerr
			}
			return err
		}}).DialContext
	}
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Errorf("GET %s as %s: %v", path, client, err)
		return &http.Response{StatusCode: 0, Body: io.NopCloser(strings.NewReader(""))}
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, res.Body) // drains a refusal: its status is what counts
		return res
	}
	if rate > 0 {
		go func() {
			r := bufio.NewReaderSize(res.Body, 1024)
			buf := make([]byte, rate/10)
			for ctx.Err() == nil {
				if _, err := io.ReadFull(r, buf); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	return res
}

// waitForExportSlot waits until client may run an export again (for at
// most 45 s).
func waitForExportSlot(t *testing.T, a *testapp.App, client string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		res, _ := a.Get(t, "/collections/incidents/items?f=csv&limit=1", "X-Forwarded-For", client)
		if res.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never got an export slot back: %d", client, res.StatusCode)
		}
		time.Sleep(time.Second)
	}
}

// heldSessions counts the sessions of the database that hold a
// transaction open between statements: a cursor waiting for its reader.
func heldSessions(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND state LIKE 'idle in transaction%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
