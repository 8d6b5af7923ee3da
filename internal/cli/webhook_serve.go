package cli

import (
	"context"
	"log/slog"
	"net"
	"sync"

	"incidentmap/store"
	"incidentmap/webhook"
)

// startWebhooks runs the webhook delivery worker beside the server until
// ctx ends or the returned stop is called; stop then waits until the
// worker has recorded its deliveries in flight (each bounded by the
// worker's timeout) and released its webhooks.
func startWebhooks(ctx context.Context, cfg config, st *store.Store, addr net.Addr, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	w := webhook.NewWorker(st, webhook.Options{PublicURL: webhookBaseURL(cfg, addr),
		AllowPrivate: cfg.WebhookAllowPrivate, Logger: logger})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.Run(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// webhookBaseURL is the base of the incidents' URLs in deliveries:
// INCIDENTMAP_PUBLIC_URL, else the listen address (localhost for a
// wildcard host), which only suits a server reached there.
func webhookBaseURL(cfg config, addr net.Addr) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
