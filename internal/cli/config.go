package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"incidentmap/store"
)

// config is every setting, with its default.
type config struct {
	DatabaseURL      string
	DatabaseReadURL  string // a read replica (DATABASE_READ_URL); "" reads the primary
	Addr             string
	PublicURL        string
	BasemapStyle     string // an external MapLibre style replacing the built-in basemap
	StatementTimeout time.Duration
	MaxConns         int
	ShutdownTimeout  time.Duration // requests in flight get this long to finish
	DrainTimeout     time.Duration // how long to refuse new work before closing the listener
	PprofAddr        string        // where to serve net/http/pprof (INCIDENTMAP_PPROF_ADDR); "": nowhere
	// TrustedProxies (INCIDENTMAP_TRUSTED_PROXIES): CIDRs of the proxies
	// whose X-Forwarded-For names the client; "": loopback only.
	TrustedProxies string
	// IndexSnapshot is the file the tile index is saved to after a full
	// load and at shutdown, and read back at start
	// (INCIDENTMAP_INDEX_SNAPSHOT); "": the index is loaded from the
	// database at every start.
	IndexSnapshot string
	ExportIdle    time.Duration // an export whose client takes nothing this long ends (INCIDENTMAP_EXPORT_IDLE); 0: 30 s
	// WebhookAllowPrivate (INCIDENTMAP_WEBHOOK_ALLOW_PRIVATE=1) lets
	// webhooks reach loopback and private addresses.
	WebhookAllowPrivate bool
}

func configFrom(getenv func(string) string) config {
	cfg := config{
		DatabaseURL:      getenv("DATABASE_URL"),
		DatabaseReadURL:  getenv("DATABASE_READ_URL"),
		Addr:             getenv("INCIDENTMAP_ADDR"),
		PublicURL:        getenv("INCIDENTMAP_PUBLIC_URL"),
		BasemapStyle:     getenv("INCIDENTMAP_BASEMAP_STYLE"),
		PprofAddr:        getenv("INCIDENTMAP_PPROF_ADDR"),
		TrustedProxies:   getenv("INCIDENTMAP_TRUSTED_PROXIES"),
		IndexSnapshot:    getenv("INCIDENTMAP_INDEX_SNAPSHOT"),
		StatementTimeout: 15 * time.Second,
		MaxConns:         20,
		ShutdownTimeout:  20 * time.Second,
		DrainTimeout:     2 * time.Second,
	}
	if cfg.Addr == "" {
		cfg.Addr = ":8080"
	}
	cfg.WebhookAllowPrivate = allowPrivateWebhooks(getenv)
	if d, err := time.ParseDuration(getenv("INCIDENTMAP_DRAIN")); err == nil && d >= 0 {
		cfg.DrainTimeout = d
	}
	if d, err := time.ParseDuration(getenv("INCIDENTMAP_EXPORT_IDLE")); err == nil && d > 0 {
		cfg.ExportIdle = d
	}
	return cfg
}

func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set (make run starts a private PostGIS and sets it)")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxOpenConns: cfg.MaxConns, StatementTimeout: cfg.StatementTimeout, ReadDSN: cfg.DatabaseReadURL})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return st, nil
}
