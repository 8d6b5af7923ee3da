package cli

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"incidentmap/store"
	"incidentmap/tiles"
)

// newRegistry holds every metric /metrics shows: the Go runtime and process,
// the database pools (go_sql_*, by db_name), and the tile cache; the server adds its HTTP metrics.
func newRegistry(st *store.Store) (*prometheus.Registry, *prometheus.HistogramVec) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	primary, read := st.Pools()
	reg.MustRegister(collectors.NewDBStatsCollector(primary, "primary"), collectors.NewDBStatsCollector(read, "read"))
	builds := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "incidentmap_tile_build_seconds", Help: "Time to build a tile, by source (index or database).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"source"})
	reg.MustRegister(builds)
	return reg, builds
}

// registerTileCache exposes the tile cache's hits, misses and size.
func registerTileCache(reg *prometheus.Registry, svc *tiles.Service) {
	counter := func(name, help string, v func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "incidentmap_tile_cache_" + name, Help: help}, v))
	}
	gauge := func(name, help string, v func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "incidentmap_tile_cache_" + name, Help: help}, v))
	}
	counter("hits_total", "Tiles served from the cache.", func() float64 { h, _, _, _ := svc.CacheStats(); return float64(h) })
	counter("misses_total", "Tiles that had to be built.", func() float64 { _, m, _, _ := svc.CacheStats(); return float64(m) })
	gauge("entries", "Tiles in the cache.", func() float64 { _, _, n, _ := svc.CacheStats(); return float64(n) })
	gauge("bytes", "Bytes the cache holds.", func() float64 { _, _, _, b := svc.CacheStats(); return float64(b) })
	gauge("index_incidents", "Incidents in the in-memory tile index.", func() float64 { _, n := svc.Status(); return float64(n) })
}
