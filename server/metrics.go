package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP metrics of the server, on the registry /metrics
// serves.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	series   seriesCache
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "incidentmap_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "incidentmap_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe counts every request by its route template ("unmatched" when no
// route matched; never the raw path), its method (count bounds it) and its
// status.
func (m *metrics) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		// The status is final: errors are answered further in.
		m.count(route, c.Request().Method, c.Response().Status, time.Since(start))
		return err
	}
}

// count adds a request to the series of its route, method and status.
// The labels are bounded: route is a route template (or "unmatched"),
// method goes through methodLabel (a client's invented method is
// "other"), and status is one the handlers write.
func (m *metrics) count(route, method string, status int, latency time.Duration) {
	ser := m.series.get(m, route, methodLabel(method), status)
	ser.requests.Inc()
	ser.latency.Observe(latency.Seconds())
}

func (m *metrics) handler() echo.HandlerFunc {
	// The server's gzip middleware compresses it: promhttp must not too,
	// or scrapers get it gzipped twice.
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{DisableCompression: true}))
}

// knownMethods are the methods counted under their own name.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// methodLabel is method when it is one of knownMethods, else "other".
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return "other"
}

// series are the counter and the histogram of one route, method and
// status, resolved once: a request then costs one map lookup instead of two
// label resolutions.
type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

type seriesKey struct {
	route, method string
	status        int
}

// seriesCache holds the resolved series. It grows with the label values
// the vectors hold, which count keeps bounded.
type seriesCache struct {
	mu sync.RWMutex
	m  map[seriesKey]series
}

func (c *seriesCache) get(m *metrics, route, method string, status int) series {
	k := seriesKey{route, method, status}
	c.mu.RLock()
	s, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = series{requests: m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
		latency: m.latency.WithLabelValues(route, method)}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[seriesKey]series{}
	}
	c.m[k] = s
	c.mu.Unlock()
	return s
}
