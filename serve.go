package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"incidentmap/server"
	"incidentmap/store"
	"incidentmap/tiles"
)

// serve migrates, then serves HTTP until ctx ends, then lets the requests in
// flight finish (up to cfg.ShutdownTimeout).
func serve(ctx context.Context, cfg config, st *store.Store, logger *slog.Logger, stdout io.Writer) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	tileService := tiles.New(st, tiles.Options{Logger: logger})
	go tileService.Run(ctx)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           server.New(server.Config{Store: st, Tiles: tileService, PublicURL: cfg.PublicURL, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "serving on http://%s\n", ln.Addr())
	logger.Info("serving", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
