package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/internal/cli"
	"incidentmap/store/storetest"
)

// The program with DATABASE_READ_URL at a real streaming standby
// (pg_basebackup -R of a throwaway primary): items and exports come from
// the standby, a write on the primary shows in them within 2 s, and when
// the standby stops, reads answer 503 at once while writes, tiles and
// liveness go on; when it comes back, reads recover by themselves. A
// frozen standby (a hung machine, a network that drops packets) costs a
// read at most the statement timeout and 5 s, never a hang.
func TestReadReplica(t *testing.T) {
	primary := storetest.NewCluster(t, ".")
	dsn := storetest.NewDatabaseOn(t, primary.URL)
	if err := cli.Run(context.Background(), []string{"seed"}, testEnv(dsn), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("seed: %v", err)
	}
	standby := storetest.NewStandby(t, primary)
	standby.CatchUp(t, primary)
	readDSN := standby.Database(t, dsn)
	a := serveOnWith(t, dsn, map[string]string{"DATABASE_READ_URL": readDSN})
	a.waitTileIndex(t)
	editor := a.newToken(t, "replica-editor", "editor")

	// Seeded incidents, and later writes, in two kinds of query: one the
	// tile index pages (the replica gives the rows by id), one it cannot
	// (the replica counts and pages, or streams an export from a cursor).
	window := "datetime=2022-03-01/2022-05-31&bbox=-5,14,-4,15"
	byAdmin1 := "datetime=2022-03-01/2022-05-31&admin1=Mopti"
	seeded := "moura-2022-03"
	tile, _ := tilePath(orb.Point{-4.0947, 14.5246}, 12) // the tile index, on the primary
	tile += "?datetime=2022-05-10"
	reads := map[string]string{
		"items":             "/collections/incidents/items?" + window,
		"items by admin1":   "/collections/incidents/items?" + byAdmin1,
		"CSV export":        "/collections/incidents/items?f=csv&" + window,
		"GeoJSONSeq export": "/collections/incidents/items?f=geojsonseq&" + byAdmin1,
		"one feature":       "/collections/incidents/items/" + seeded,
		"places":            "/collections/places/items?q=Moura",
	}

	t.Run("reads are served from the standby", func(t *testing.T) {
		for name, path := range reads {
			if res, body := a.get(t, path); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Moura") {
				t.Errorf("%s: %d %s", name, res.StatusCode, body)
			}
		}
		var n int
		standbyQuery(t, readDSN, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`, &n)
		if n == 0 {
			t.Error("the standby has no connection from the app")
		}
	})

	t.Run("a write on the primary shows in items and exports within 2 s", func(t *testing.T) {
		id := a.post(t, editor, "replica-sevare-1")
		written := time.Now()
		checks := map[string]func() bool{
			"items":           func() bool { return has(a.incidents(t, window).ids(), id) },
			"items by admin1": func() bool { return has(a.incidents(t, byAdmin1).ids(), id) },
			"CSV export":      func() bool { return a.bodyHas(t, reads["CSV export"], id) },
			"GeoJSONSeq":      func() bool { return a.bodyHas(t, reads["GeoJSONSeq export"], id) },
		}
		for name, shows := range checks {
			for !shows() {
				if time.Since(written) > 5*time.Second {
					t.Fatalf("%s: the write never showed within 5 s", name)
				}
				time.Sleep(20 * time.Millisecond)
			}
			took := time.Since(written)
			t.Logf("%s: the write showed after %v", name, took.Round(time.Millisecond))
			if took > 2*time.Second {
				t.Errorf("%s: the write took %v to show, more than 2 s", name, took)
			}
		}
	})

	t.Run("while the standby holds back its replay, items lag and tiles do not", func(t *testing.T) {
		standbyQuery(t, standby.URL, `SELECT pg_wal_replay_pause()::text`, new(string))
		id := a.post(t, editor, "replica-sevare-2")
		for start := time.Now(); !has(featureIDs(a.tileLayers(t, tile)["incidents"]), id); time.Sleep(20 * time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				t.Fatal("the write never showed in its tile")
			}
		}
		if has(a.incidents(t, window).ids(), id) || a.bodyHas(t, reads["CSV export"], id) {
			t.Error("items show a write the paused standby has not replayed: they do not come from the standby")
		}
		standbyQuery(t, standby.URL, `SELECT pg_wal_replay_resume()::text`, new(string))
		resumed := time.Now()
		for !has(a.incidents(t, window).ids(), id) {
			if time.Since(resumed) > 2*time.Second {
				t.Fatal("the write did not show within 2 s of the replay resuming")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("with the standby stopped, reads answer 503 at once and the rest goes on", func(t *testing.T) {
		standby.Stop(t)
		var slowest time.Duration
		for name, path := range reads {
			start := time.Now()
			res, body := a.get(t, path)
			took := time.Since(start)
			slowest = max(slowest, took)
			var e struct{ Code, Description string }
			json.Unmarshal(body, &e)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || e.Code != "ServiceUnavailable" {
				t.Errorf("%s with the standby down: %d Retry-After %q %s", name, res.StatusCode, res.Header.Get("Retry-After"), body)
			}
			if took > 3*time.Second {
				t.Errorf("%s: the 503 took %v", name, took)
			}
		}
		t.Logf("the slowest 503 took %v", slowest.Round(time.Millisecond))
		res, body := a.get(t, "/readyz")
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "DATABASE_READ_URL") {
			t.Errorf("readyz with the standby down: %d %s (want 503 naming DATABASE_READ_URL)", res.StatusCode, body)
		}
		if res, _ := a.get(t, "/healthz"); res.StatusCode != http.StatusOK {
			t.Errorf("healthz: %d", res.StatusCode)
		}
		id := a.post(t, editor, "replica-sevare-3") // writes go to the primary
		for start := time.Now(); !has(featureIDs(a.tileLayers(t, tile)["incidents"]), id); time.Sleep(20 * time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				t.Fatal("a write made with the standby down never showed in its tile")
			}
		}

		standby.Start(t)
		back := time.Now()
		for !has(a.incidents(t, window).ids(), id) {
			if time.Since(back) > 15*time.Second {
				t.Fatal("reads did not recover within 15 s of the standby's return")
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("reads recovered, with the write made meanwhile, %v after the standby started", time.Since(back).Round(time.Millisecond))
		for name, path := range reads {
			if res, body := a.get(t, path); res.StatusCode != http.StatusOK {
				t.Errorf("%s after the standby came back: %d %s", name, res.StatusCode, body)
			}
		}
		a.getJSON(t, "/readyz", http.StatusOK, nil)
	})

	t.Run("a frozen standby costs a read at most the statement timeout and 5 s", func(t *testing.T) {
		a.getJSON(t, reads["items"], http.StatusOK, nil) // a pooled connection to the standby
		standby.Freeze(t)                                // SIGSTOP: connections stay open, nothing answers
		start := time.Now()
		if res, body := a.get(t, reads["items"]); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("items with the standby frozen: %d %s", res.StatusCode, body)
		}
		t.Logf("items answered 503 after %v", time.Since(start).Round(time.Millisecond))
		if took := time.Since(start); took > 25*time.Second {
			t.Errorf("items with the standby frozen took %v", took)
		}
		start = time.Now()
		if res, body := a.get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "DATABASE_READ_URL") {
			t.Errorf("readyz with the standby frozen: %d %s", res.StatusCode, body)
		}
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("readyz with the standby frozen took %v", took)
		}
		a.post(t, editor, "replica-sevare-4")
		standby.Thaw(t)
		for start := time.Now(); !has(a.incidents(t, window).ids(), "replica-sevare-4"); time.Sleep(100 * time.Millisecond) {
			if time.Since(start) > 15*time.Second {
				t.Fatal("reads did not recover within 15 s of the standby's thaw")
			}
		}
	})
}

// post creates a copy of newIncident with the given id through the API.
func (a *app) post(t *testing.T, token, id string) string {
	t.Helper()
	feature := strings.Replace(newIncident, "test-sevare-2022-05", id, 1)
	res, body := a.do(t, http.MethodPost, "/collections/incidents/items", token, strings.NewReader(feature),
		"Content-Type", "application/geo+json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", id, res.StatusCode, body)
	}
	return id
}

// bodyHas fetches path, expects 200, and reports whether the body holds s.
func (a *app) bodyHas(t *testing.T, path, s string) bool {
	t.Helper()
	res, body := a.get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return strings.Contains(string(body), s)
}

// standbyQuery runs one query on its own connection and scans its row.
func standbyQuery(t *testing.T, dsn, query string, dest ...any) {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.QueryRowContext(ctx, query).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
