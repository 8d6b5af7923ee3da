package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/paulmach/orb/geojson"

	"incidentmap/internal/naturalearth"
	"incidentmap/render"
	"incidentmap/server"
	"incidentmap/static"
	"incidentmap/store"
	"incidentmap/tiles"
)

// serve migrates, then serves HTTP until ctx ends, then lets the requests in
// flight finish (up to cfg.ShutdownTimeout).
func serve(ctx context.Context, cfg config, st *store.Store, logger *slog.Logger, stdout io.Writer) error {
	proxies, err := server.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	registry, builds := newRegistry(st)
	hub := server.NewHub(st, logger)
	go hub.Run(ctx)
	tileService := tiles.New(st, tiles.Options{Logger: logger, SnapshotPath: cfg.IndexSnapshot, OnApply: liveBatch(hub),
		ObserveBuild: func(seconds float64, fromIndex bool) {
			source := "database"
			if fromIndex {
				source = "index"
			}
			builds.WithLabelValues(source).Observe(seconds)
		}})
	registerTileCache(registry, tileService)
	go tileService.Run(ctx)
	assets := static.FS()
	basemapData, err := readBasemap(assets)
	if err != nil {
		return err
	}
	basemap, err := openBasemap(basemapData)
	if err != nil {
		return err
	}
	maps, err := openMapRenderer(basemapData)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.PprofAddr != "" {
		go servePprof(ctx, cfg.PprofAddr, logger)
	}
	stopWebhooks := startWebhooks(ctx, cfg, st, ln.Addr(), logger)
	defer stopWebhooks()
	handler := server.New(server.Config{Incidents: st, Places: st, Editor: st, Auth: st, History: st, Importer: st, MapData: st, Ready: st, Webhooks: st,
		Tiles: tileService, Index: tileService, PublicURL: cfg.PublicURL, TrustedProxies: proxies, Logger: logger,
		Static: assets, Basemap: basemap, BasemapStyle: cfg.BasemapStyle, Metrics: registry,
		Maps: maps, Exports: server.ExportLimits{WriteIdle: cfg.ExportIdle}, Live: hub})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	_, _ = fmt.Fprintf(stdout, "serving on http://%s\n", ln.Addr()) // the log says it too: a closed stdout is no reason not to serve
	logger.Info("serving", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Drain first: readiness fails, so that load balancers stop sending
	// here before the listener closes; then Shutdown closes the idle
	// connections and lets the requests in flight finish.
	logger.Info("draining", "for", cfg.DrainTimeout.String())
	handler.Drain()
	time.Sleep(cfg.DrainTimeout)
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	saveIndex(tileService, cfg, logger)
	return nil
}

// saveIndex saves the tile index for the next start (when
// INCIDENTMAP_INDEX_SNAPSHOT is set), within ShutdownTimeout: a failure is
// logged, and costs only a slower next start.
func saveIndex(tileService *tiles.Service, cfg config, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := tileService.SaveIndex(ctx); err != nil {
		logger.Warn("tiles: index not saved", "path", cfg.IndexSnapshot, "err", err)
	}
}

// readBasemap parses the embedded Natural Earth GeoJSON (the countries
// built by make web, and the water and towns of package naturalearth), once for the
// basemap tiles and /map.png; nil (and no error) when the web assets are
// not built.
func readBasemap(assets fs.FS) (*geojson.FeatureCollection, error) {
	raw, err := fs.ReadFile(assets, static.BasemapFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, fmt.Errorf("basemap %s: %w", static.BasemapFile, err)
	}
	water, err := naturalearth.Features() // rivers, lakes and towns (1:10m)
	if err != nil {
		return nil, err
	}
	fc.Features = append(fc.Features, water.Features...)
	return fc, nil
}

// openBasemap cuts the basemap into tiles; nil (no basemap tiles) without
// one.
func openBasemap(fc *geojson.FeatureCollection) (server.Basemap, error) {
	if fc == nil {
		return nil, nil
	}
	return tiles.NewBasemap(fc)
}

// openMapRenderer prepares the drawing of /map.png over the same basemap
// as the tiles; without one the maps are drawn over plain land.
func openMapRenderer(fc *geojson.FeatureCollection) (*render.Renderer, error) {
	if fc == nil {
		return render.New(nil)
	}
	base, err := render.NewBasemap(fc)
	if err != nil {
		return nil, err
	}
	return render.New(base)
}

// servePprof serves Go's profiles (net/http/pprof) on addr, apart from the
// public listener, until ctx ends: for an operator profiling under load,
// on a loopback address.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close() // ListenAndServe then returns ErrServerClosed
	}()
	logger.Info("profiles on", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("pprof listener", "err", err)
	}
}
