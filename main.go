// Command incidentmap serves geocoded conflict incidents from PostGIS as
// OGC API - Features (GeoJSON, GeoJSONSeq, CSV, HTML) and vector tiles.
// Its commands live in internal/cli; run `incidentmap help` for them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"incidentmap/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "incidentmap:", err)
		os.Exit(1)
	}
}
