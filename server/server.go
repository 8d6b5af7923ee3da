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
	"github.com/prometheus/client_golang/prometheus"
)

// Server routes HTTP requests. Build it with New.
type Server struct {
	echo      *echo.Echo
	incidents IncidentReader
	places    PlaceReader
	editor    IncidentEditor
	auth      Authenticator
	history   HistoryReader
	importer  Importer
	mapData   MapData
	ready     ReadyChecker
	tiles     Tiles
	index     TileIndex
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
	cfg = cfg.withStore()
	s := &Server{incidents: cfg.Incidents, places: cfg.Places, editor: cfg.Editor, auth: cfg.Auth, history: cfg.History,
		importer: cfg.Importer, mapData: cfg.MapData, ready: cfg.Ready, tiles: cfg.Tiles, index: cfg.Index,
		static: cfg.Static, publicURL: cfg.PublicURL, log: cfg.Logger, now: cfg.Now,
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

// routes registers every route. The routes of a data dependency the
// server was built without are left out (Config says what each answers).
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
	if s.history != nil {
		e.GET("/collections/:collection/items/:fid/revisions", s.revisions)
		e.GET("/changes", s.changes)
	}
	if s.editor != nil {
		writers := s.requireScope(scopeEditor, scopeAdmin)
		e.POST("/collections/:collection/items", s.createIncident, writers)
		e.PUT("/collections/:collection/items/:fid", s.replaceIncident, writers)
		e.PATCH("/collections/:collection/items/:fid", s.patchIncident, writers)
		e.DELETE("/collections/:collection/items/:fid", s.deleteIncident, writers)
	}
	if s.importer != nil {
		e.POST("/import", s.importFile, s.requireScope(scopeAdmin))
	}
	s.mapRoutes()
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/assets/*", echo.WrapHandler(s.assets()))
	s.viewerRoutes()
}

// mapRoutes are the routes of maps: tiles, static images and embeds.
func (s *Server) mapRoutes() {
	e := s.echo
	e.GET("/tiles/:z/:x/:y", s.tile)
	e.GET("/tiles.json", s.tileJSON)
	e.GET("/map.png", s.mapImage)
	e.GET("/oembed", s.oembed)
	e.GET("/embed", s.embedPage)
	e.GET("/embed.js", s.embedScript)
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
	if err := s.databaseReady(c.Request().Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		c.Response().Header().Set("Retry-After", "5")
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
	}
	body := map[string]any{"status": "ready"}
	if s.index != nil {
		ready, n := s.index.Status()
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

// ReadyChecker tells whether the database answers (readyz).
type ReadyChecker interface {
	// Ready fails when the database cannot serve (EUnavailable).
	Ready(ctx context.Context) error
}

// databaseReady asks s.ready, within three seconds; nil: ready.
func (s *Server) databaseReady(ctx context.Context) error {
	if s.ready == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return s.ready.Ready(ctx)
}
