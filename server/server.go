// Package server is the HTTP face of incidentmap: OGC API - Features routes
// on Echo v4, parameter parsing into geo filters, rendering (GeoJSON,
// GeoJSONSeq, CSV, HTML) and one error handler that maps geo error codes to
// HTTP statuses.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"incidentmap/geo"
	"incidentmap/ingest"
	"incidentmap/render"
)

// Store is what the server reads. Failures are *geo.Error values (ENotFound,
// EUnavailable, ...) or plain errors for bugs.
type Store interface {
	Incident(ctx context.Context, id string) (geo.Incident, error)
	// CountIncidents counts the matches up to upTo+1 (more than upTo).
	CountIncidents(ctx context.Context, f geo.Filter, upTo int) (int, error)
	EachIncident(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error
	// EachIncidentByID calls fn for the published incidents among ids, in
	// order, a batch at a time (exports listed by the tile index).
	EachIncidentByID(ctx context.Context, ids []string, fn func(geo.Incident) error) error
	Incidents(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, error)
	// IncidentsByID returns the published incidents among ids, in order.
	IncidentsByID(ctx context.Context, ids []string) ([]geo.Incident, error)
	IncidentExtent(ctx context.Context) (geo.Extent, error)
	Places(ctx context.Context, f geo.PlaceFilter, p geo.Page) ([]geo.Place, int, error)
	Place(ctx context.Context, id string) (geo.Place, error)
	PlaceExtent(ctx context.Context) (geo.Extent, error)
	DataVersion(ctx context.Context) (int64, error)
	Ready(ctx context.Context) error

	// Authenticate returns the name and scope of a live token (EUnauthorized).
	Authenticate(ctx context.Context, token string) (name, scope string, err error)
	// IncidentForEditor returns an incident whatever its status.
	IncidentForEditor(ctx context.Context, id string) (geo.Incident, error)
	// WriteIncident stores an incident and a new version of it (EConflict
	// on a stale revision or an existing id, ENotFound, EUnprocessable).
	WriteIncident(ctx context.Context, in *geo.Incident, w geo.Write) (int, error)
	DeleteIncident(ctx context.Context, id, author string, ifRevision int) error
	// Geocode finds the one gazetteer place of a name (EUnprocessable).
	Geocode(ctx context.Context, name, country, admin string) (geo.Place, error)
	Revisions(ctx context.Context, id string) ([]geo.Revision, error)
	// Changes lists writes after a point; all includes never-published incidents.
	Changes(ctx context.Context, since int64, at time.Time, limit int, all bool) ([]geo.Change, error)
	// Import stores every incident of r in one transaction, all or nothing.
	Import(ctx context.Context, r ingest.Reader, author string, dryRun bool) (int, error)
	// EachSummary streams the published incidents that match f (and
	// intersect within when it is not nil), for /map.png.
	EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error
	// Publishers returns the distinct publishers of the sources of the
	// incidents matching f, most cited first, at most limit, and how many
	// there are in all.
	Publishers(ctx context.Context, f geo.Filter, limit int) (names []string, total int, err error)
}

// Config is what New needs. Store is required; the rest have defaults.
type Config struct {
	Store     Store
	Tiles     Tiles  // nil: no /tiles routes
	Static    fs.FS  // the web pages; nil serves a plain placeholder
	PublicURL string // base URL for links; "" derives it from each request
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (ParseTrustedProxies); nil: loopback only.
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger // default slog.Default()
	Now            func() time.Time
	// Metrics is the registry /metrics serves; the server adds its HTTP
	// metrics to it. nil: a registry of its own.
	Metrics *prometheus.Registry

	// Basemap serves the built-in basemap tiles of the viewer; nil: none.
	Basemap Basemap
	// BasemapStyle is the URL of an external basemap style that replaces
	// the built-in basemap in the viewer; "" keeps the built-in one.
	BasemapStyle string
	// Maps draws /map.png (and the titles of /oembed); nil: no /map.png.
	Maps *render.Renderer
	// Exports bound the concurrent CSV and GeoJSONSeq exports (exports.go).
	Exports ExportLimits
}

// Server routes HTTP requests. Build it with New.
type Server struct {
	echo      *echo.Echo
	store     Store
	tiles     Tiles
	metrics   *metrics
	draining  atomic.Bool
	static    fs.FS
	viewer    *viewer
	maps      *mapImages
	publicURL string
	// trustedProxies: see Config.TrustedProxies.
	trustedProxies []*net.IPNet
	uploadIdle     time.Duration // see uploadIdleTimeout
	log            *slog.Logger
	now            func() time.Time
	exports        *exportSlots
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, tiles: cfg.Tiles, static: cfg.Static, publicURL: cfg.PublicURL, log: cfg.Logger, now: cfg.Now,
		trustedProxies: cfg.TrustedProxies, uploadIdle: uploadIdleTimeout}
	if s.trustedProxies == nil {
		s.trustedProxies = loopbackProxies
	}
	s.exports = newExportSlots(cfg.Exports)
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.viewer = newViewer(cfg, s.log)
	s.maps = newMapImages(cfg.Maps)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	if cfg.Metrics == nil {
		cfg.Metrics = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(cfg.Metrics)
	s.middleware()
	s.routes()
	return s
}

// ServeHTTP makes the server an http.Handler. Cached tiles take a fast path
// (serveCachedTile); everything else goes through Echo.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.serveCachedTile(w, r) {
		s.echo.ServeHTTP(w, r)
	}
}

func (s *Server) routes() {
	e := s.echo
	e.GET("/", s.landing)
	e.GET("/conformance", s.conformance)
	e.GET("/api", s.apiDoc)
	e.GET("/api.html", s.apiDocHTML)
	e.GET("/collections", s.collections)
	e.GET("/collections/:collection", s.collection)
	e.GET("/collections/:collection/items", s.items)
	e.GET("/collections/:collection/items/:fid", s.item)
	e.GET("/collections/:collection/items/:fid/revisions", s.revisions)
	e.GET("/changes", s.changes)
	writers := s.requireScope(scopeEditor, scopeAdmin)
	e.POST("/collections/:collection/items", s.createIncident, writers)
	e.PUT("/collections/:collection/items/:fid", s.replaceIncident, writers)
	e.PATCH("/collections/:collection/items/:fid", s.patchIncident, writers)
	e.DELETE("/collections/:collection/items/:fid", s.deleteIncident, writers)
	e.POST("/import", s.importFile, s.requireScope(scopeAdmin))
	e.GET("/tiles/:z/:x/:y", s.tile)
	e.GET("/tiles.json", s.tileJSON)
	e.GET("/map.png", s.mapImage)
	e.GET("/oembed", s.oembed)
	e.GET("/embed", s.embedPage)
	e.GET("/embed.js", s.embedScript)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/assets/*", echo.WrapHandler(s.assets()))
	s.viewerRoutes()
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Drain makes the server ready for shutdown: /readyz answers 503, so that
// load balancers stop sending here. Connections stay open: closing them
// after each answer made clients open new ones, which the kernel queued
// and then dropped when the listener closed (the load test's SIGTERM burst
// broke 4 to 6 requests that way).
func (s *Server) Drain() { s.draining.Store(true) }

// readyz answers 200 when this instance can serve every route at full
// speed; else 503 with Retry-After and a status and reason: "draining"
// (shutting down), "unavailable" (the database), or "loading" (the tile
// index is not loaded yet).
func (s *Server) readyz(c echo.Context) error {
	if s.draining.Load() {
		c.Response().Header().Set("Retry-After", "5")
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "draining"})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		c.Response().Header().Set("Retry-After", "5")
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
	}
	body := map[string]any{"status": "ready"}
	if s.tiles != nil {
		ready, n := s.tiles.Status()
		body["tile_index"] = map[string]any{"ready": ready, "incidents": n}
		if !ready {
			// Tiles would wait and answer 503 meanwhile: send no traffic yet.
			body["status"], body["reason"] = "loading", "tile index loading"
			c.Response().Header().Set("Retry-After", "2")
			return c.JSON(http.StatusServiceUnavailable, body)
		}
	}
	return c.JSON(http.StatusOK, body)
}
