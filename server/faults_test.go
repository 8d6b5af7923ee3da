package server_test

import (
	"net/http"
	"testing"
	"time"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
	"incidentmap/store/storetest"
)

// With the database stopped, reads answer 503 with Retry-After within
// seconds, readiness fails, liveness holds and nothing crashes; when the
// database comes back, the same process serves again.
func TestDatabaseOutage(t *testing.T) {
	cluster := storetest.NewCluster(t)
	a := testapp.StartOn(t, testenv.NewDatabaseOn(t, cluster.URL))
	items := "/collections/incidents/items?datetime=2022-03-27"
	tile, _ := testapp.TilePath(testapp.Moura, 8)
	a.GetJSON(t, items, http.StatusOK, nil)
	a.TileLayers(t, tile)

	cluster.Stop(t)
	start := time.Now()
	res, body := a.Get(t, items)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("items with the database down: %d %s", res.StatusCode, body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the 503 took %v", took)
	}
	if res, _ := a.Get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz: %d", res.StatusCode)
	}
	if res, _ := a.Get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", res.StatusCode)
	}
	if res, _ := a.Get(t, tile); res.StatusCode != http.StatusOK {
		t.Errorf("a cached tile with the database down: %d", res.StatusCode)
	}

	cluster.Start(t)
	start = time.Now()
	for {
		res, _ := a.Get(t, items)
		if res.StatusCode == http.StatusOK {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("still %d 15 s after the database came back", res.StatusCode)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("serving again %v after the database came back", time.Since(start))
	a.GetJSON(t, "/readyz", http.StatusOK, nil)
}
