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
	webhooks  WebhookLog
	tiles     Tiles
	index     TileIndex
	metrics   *metrics
	draining  atomic.Bool
	static    fs.FS
	viewer    *viewer
	archiving chan struct{} // one archive built at a time (archive.go)
	maps      *mapImages
	publicURL string
	// trustedProxies: see Config.TrustedProxies.
	trustedProxies []*net.IPNet
	uploadIdle     time.Duration // see uploadIdleTimeout
	log            *slog.Logger
	now            func() time.Time
	exports        *exportSlots
	live           *Hub         // nil: no /changes/stream
	streams        *liveStreams // the open live streams
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	cfg = cfg.withIndex()
	s := &Server{incidents: cfg.Incidents, places: cfg.Places, editor: cfg.Editor, auth: cfg.Auth, history: cfg.History,
		importer: cfg.Importer, mapData: cfg.MapData, ready: cfg.Ready, tiles: cfg.Tiles, index: cfg.Index,
		static: cfg.Static, publicURL: cfg.PublicURL, log: cfg.Logger, now: cfg.Now,
		trustedProxies: cfg.TrustedProxies, uploadIdle: uploadIdleTimeout}
	if s.trustedProxies == nil {
		s.trustedProxies = loopbackProxies
	}
	s.exports = newExportSlots(cfg.Exports)
	s.webhooks = cfg.Webhooks
	s.live, s.streams = cfg.Live, newLiveStreams(cfg.Streams)
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
	s.streams.register(cfg.Metrics)
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

// routes registers every route, in groups. The routes of a data
// dependency the server was built without are left out (Config says what
// each then answers).
func (s *Server) routes() {
	s.echo.GET("/", s.landing)
	s.echo.GET("/conformance", s.conformance)
	s.echo.GET("/api", s.apiDoc)
	s.echo.GET("/api.html", s.apiDocHTML)
	s.featureRoutes()
	s.editorRoutes()
	s.webhookRoutes()
	s.mapRoutes()
	s.echo.GET("/healthz", s.healthz)
	s.echo.GET("/readyz", s.readyz)
	s.echo.GET("/metrics", s.metrics.handler())
	s.echo.GET("/assets/*", echo.WrapHandler(s.assets()))
	s.viewerRoutes()
	s.archiveRoutes()
}

// featureRoutes are the reads of OGC API - Features, and the history.
func (s *Server) featureRoutes() {
	s.echo.GET("/collections", s.collections)
	s.echo.GET("/collections/:collection", s.collection)
	s.echo.GET("/collections/:collection/queryables", s.queryables)
	s.echo.GET("/collections/:collection/items", s.items)
	s.echo.GET("/collections/:collection/items/:fid", s.item)
	if s.history != nil {
		s.echo.GET("/collections/:collection/items/:fid/revisions", s.revisions)
		s.echo.GET("/changes", s.changes)
	}
	if s.live != nil {
		s.echo.GET("/changes/stream", s.changeStream)
	}
}

// editorRoutes are the writes, which take a token.
func (s *Server) editorRoutes() {
	if s.editor != nil {
		writers := s.requireScope(scopeEditor, scopeAdmin)
		s.echo.POST("/collections/:collection/items", s.createIncident, writers)
		s.echo.PUT("/collections/:collection/items/:fid", s.replaceIncident, writers)
		s.echo.PATCH("/collections/:collection/items/:fid", s.patchIncident, writers)
		s.echo.DELETE("/collections/:collection/items/:fid", s.deleteIncident, writers)
	}
	if s.importer != nil {
		s.echo.POST("/import", s.importFile, s.requireScope(scopeAdmin))
	}
}

// mapRoutes are the routes of maps: tiles, static images and embeds.
func (s *Server) mapRoutes() {
	s.echo.GET("/tiles/:z/:x/:y", s.tile)
	s.echo.GET("/tiles.json", s.tileJSON)
	s.ogcTileRoutes()
	s.echo.GET("/map.png", s.mapImage)
	s.echo.GET("/map.txt", s.mapText)
	s.echo.GET("/oembed", s.oembed)
	s.echo.GET("/embed", s.embedPage)
	s.echo.GET("/embed.js", s.embedScript)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Drain makes the server ready for shutdown: /readyz answers 503, so that
// load balancers stop sending here. Connections stay open: closing them
// after each answer made clients open new ones, which the kernel queued
// and then dropped when the listener closed (the load test's SIGTERM burst
// broke 4 to 6 requests that way).
// Live streams end at once (their clients reconnect elsewhere).
func (s *Server) Drain() {
	s.draining.Store(true)
	s.streams.end()
}

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
