package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

// TestMetricsShowRoutesTilesAndPools pins what /metrics promises: requests
// and latency by route template, tile cache hits and misses, tile build
// time by source, and the use of both database pools.
func TestMetricsShowRoutesTilesAndPools(t *testing.T) {
	a := testapp.Start(t)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body := a.Get(t, "/readyz")
		if strings.Contains(string(body), `"ready":true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tile index never loaded: %s", body)
		}
	}
	tile, _ := testapp.TilePath(testapp.Moura, 10)
	a.Get(t, tile) // built from the index
	a.Get(t, tile) // from the cache
	a.Get(t, "/collections/incidents/items?datetime=2022-03-27/2022-03-31")
	a.Get(t, "/collections/incidents/items/no-such-incident")

	res, body := a.Get(t, "/metrics")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	text := string(body)
	for _, want := range []string{
		`incidentmap_http_requests_total{code="200",method="GET",route="/tiles/:z/:x/:y"} 2`,
		`incidentmap_http_requests_total{code="404",method="GET",route="/collections/:collection/items/:fid"} 1`,
		`incidentmap_http_request_duration_seconds_count{method="GET",route="/collections/:collection/items"} 1`,
		`incidentmap_tile_cache_misses_total 1`,
		`incidentmap_tile_cache_hits_total 1`,
		`incidentmap_tile_build_seconds_count{source="index"} 1`,
		`go_sql_max_open_connections{db_name="primary"} 20`,
		`go_sql_max_open_connections{db_name="read"} 20`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, "no-such-incident") {
		t.Error("/metrics names a raw path: clients could grow its labels without bound")
	}
}
