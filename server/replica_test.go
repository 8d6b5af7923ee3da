package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
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
	primary := storetest.NewCluster(t)
	dsn := testenv.NewDatabaseOn(t, primary.URL)
	testapp.Run(t, dsn, nil, "seed")
	standby := storetest.NewStandby(t, primary)
	standby.CatchUp(t, primary)
	readDSN := standby.Database(t, dsn)
	a := testapp.ServeWith(t, dsn, map[string]string{"DATABASE_READ_URL": readDSN})
	a.WaitTileIndex(t)
	editor := a.NewToken(t, "replica-editor", "editor")

	// Seeded incidents, and later writes, in two kinds of query: one the
	// tile index pages (the replica gives the rows by id), one it cannot
	// (the replica counts and pages, or streams an export from a cursor).
	window := "datetime=2022-03-01/2022-05-31&bbox=-5,14,-4,15"
	byAdmin1 := "datetime=2022-03-01/2022-05-31&admin1=Mopti"
	seeded := "moura-2022-03"
	tile, _ := testapp.TilePath(testapp.Sevare, 12) // the tile index, on the primary
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
			if res, body := a.Get(t, path); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Moura") {
				t.Errorf("%s: %d %s", name, res.StatusCode, body)
			}
		}
		var n int
		testenv.QueryRow(t, readDSN, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`, &n)
		if n == 0 {
			t.Error("the standby has no connection from the app")
		}
	})

	t.Run("a write on the primary shows in items and exports within 2 s", func(t *testing.T) {
		id := post(t, a, editor, "replica-sevare-1")
		written := time.Now()
		checks := map[string]func() bool{
			"items":           func() bool { return slices.Contains(a.Incidents(t, window).IDs(), id) },
			"items by admin1": func() bool { return slices.Contains(a.Incidents(t, byAdmin1).IDs(), id) },
			"CSV export":      func() bool { return bodyHas(t, a, reads["CSV export"], id) },
			"GeoJSONSeq":      func() bool { return bodyHas(t, a, reads["GeoJSONSeq export"], id) },
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
		testenv.QueryRow(t, standby.URL, `SELECT pg_wal_replay_pause()::text`, new(string))
		id := post(t, a, editor, "replica-sevare-2")
		a.WaitTile(t, tile, id, true, 5*time.Second)
		if slices.Contains(a.Incidents(t, window).IDs(), id) || bodyHas(t, a, reads["CSV export"], id) {
			t.Error("items show a write the paused standby has not replayed: they do not come from the standby")
		}
		testenv.QueryRow(t, standby.URL, `SELECT pg_wal_replay_resume()::text`, new(string))
		resumed := time.Now()
		for !slices.Contains(a.Incidents(t, window).IDs(), id) {
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
			res, body := a.Get(t, path)
			took := time.Since(start)
			slowest = max(slowest, took)
			var e struct{ Code, Description string }
			_ = json.Unmarshal(body, &e) // not JSON: it stays empty, which the check below reports
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || e.Code != "ServiceUnavailable" {
				t.Errorf("%s with the standby down: %d Retry-After %q %s", name, res.StatusCode, res.Header.Get("Retry-After"), body)
			}
			if took > 3*time.Second {
				t.Errorf("%s: the 503 took %v", name, took)
			}
		}
		t.Logf("the slowest 503 took %v", slowest.Round(time.Millisecond))
		res, body := a.Get(t, "/readyz")
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "DATABASE_READ_URL") {
			t.Errorf("readyz with the standby down: %d %s (want 503 naming DATABASE_READ_URL)", res.StatusCode, body)
		}
		if res, _ := a.Get(t, "/healthz"); res.StatusCode != http.StatusOK {
			t.Errorf("healthz: %d", res.StatusCode)
		}
		id := post(t, a, editor, "replica-sevare-3") // writes go to the primary
		a.WaitTile(t, tile, id, true, 5*time.Second) // a write made with the standby down

		standby.Start(t)
		back := time.Now()
		for !slices.Contains(a.Incidents(t, window).IDs(), id) {
			if time.Since(back) > 15*time.Second {
				t.Fatal("reads did not recover within 15 s of the standby's return")
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("reads recovered, with the write made meanwhile, %v after the standby started", time.Since(back).Round(time.Millisecond))
		for name, path := range reads {
			if res, body := a.Get(t, path); res.StatusCode != http.StatusOK {
				t.Errorf("%s after the standby came back: %d %s", name, res.StatusCode, body)
			}
		}
		a.GetJSON(t, "/readyz", http.StatusOK, nil)
	})

	t.Run("a frozen standby costs a read at most the statement timeout and 5 s", func(t *testing.T) {
		a.GetJSON(t, reads["items"], http.StatusOK, nil) // a pooled connection to the standby
		standby.Freeze(t)                                // SIGSTOP: connections stay open, nothing answers
		start := time.Now()
		if res, body := a.Get(t, reads["items"]); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("items with the standby frozen: %d %s", res.StatusCode, body)
		}
		t.Logf("items answered 503 after %v", time.Since(start).Round(time.Millisecond))
		if took := time.Since(start); took > 25*time.Second {
			t.Errorf("items with the standby frozen took %v", took)
		}
		start = time.Now()
		if res, body := a.Get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "DATABASE_READ_URL") {
			t.Errorf("readyz with the standby frozen: %d %s", res.StatusCode, body)
		}
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("readyz with the standby frozen took %v", took)
		}
		post(t, a, editor, "replica-sevare-4")
		standby.Thaw(t)
		for start := time.Now(); !slices.Contains(a.Incidents(t, window).IDs(), "replica-sevare-4"); time.Sleep(100 * time.Millisecond) {
			if time.Since(start) > 15*time.Second {
				t.Fatal("reads did not recover within 15 s of the standby's thaw")
			}
		}
	})
}

// post creates a copy of testapp.NewIncident with the given id through the API.
func post(t *testing.T, a *testapp.App, token, id string) string {
	t.Helper()
	feature := strings.Replace(testapp.NewIncident, "test-sevare-2022-05", id, 1)
	// Each a little east of the last (0.008°, 46 pixels at zoom 12), so
	// that the tile draws each as its own mark rather than a cluster of
	// incidents stacked on one point.
	posted++
	feature = strings.Replace(feature, "-4.0947", fmt.Sprintf("%.4f", -4.0947+0.008*float64(posted%3)), 1)
	res, body := a.Do(t, http.MethodPost, "/collections/incidents/items", token, strings.NewReader(feature),
		"Content-Type", "application/geo+json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", id, res.StatusCode, body)
	}
	return id
}

// posted counts the incidents post wrote.
var posted int

// bodyHas fetches path, expects 200, and reports whether the body holds s.
func bodyHas(t *testing.T, a *testapp.App, path, s string) bool {
	t.Helper()
	res, body := a.Get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return strings.Contains(string(body), s)
}
