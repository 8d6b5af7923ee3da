// Command incidentmap serves geocoded conflict incidents from PostGIS as
// OGC API - Features (GeoJSON, GeoJSONSeq, CSV, HTML).
//
//	incidentmap serve [--addr HOST:PORT]
//	incidentmap migrate
//	incidentmap seed
//
// DATABASE_URL names the database; INCIDENTMAP_ADDR the listen address
// (default :8080); INCIDENTMAP_PUBLIC_URL the base URL of links.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "incidentmap:", err)
		os.Exit(1)
	}
}

const usage = `usage: incidentmap COMMAND [flags]

commands:
  serve [--addr HOST:PORT]   serve HTTP (migrates first)
  migrate                    apply database migrations
  seed                       load the bundled Sahel places and incidents (idempotent)`

// run is the whole program, testable: args without the program name, the
// environment as a lookup function, and the output streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("no command\n" + usage)
	}
	cfg := configFrom(getenv)
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	switch args[0] {
	case "serve":
		fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	case "migrate", "seed":
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", args[0], fs.Arg(0))
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "migrate":
		return st.Migrate(ctx)
	case "seed":
		return seed(ctx, st, stdout)
	}
	return serve(ctx, cfg, st, logger, stdout)
}
