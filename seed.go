package main

import (
	"context"
	"embed"
	"fmt"
	"io"

	"incidentmap/geo"
	"incidentmap/store"
)

//go:embed sql/seed/places.geojson sql/seed/incidents.geojson
var seedFiles embed.FS

// seed loads the bundled places and incidents in one transaction.
// Re-running it replaces them by id: it never duplicates.
func seed(ctx context.Context, st *store.Store, stdout io.Writer) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	pf, err := seedFiles.Open("sql/seed/places.geojson")
	if err != nil {
		return err
	}
	defer pf.Close()
	places, err := geo.DecodePlaces(pf)
	if err != nil {
		return fmt.Errorf("seed places: %w", err)
	}
	inf, err := seedFiles.Open("sql/seed/incidents.geojson")
	if err != nil {
		return err
	}
	defer inf.Close()
	incidents, err := geo.DecodeIncidents(inf)
	if err != nil {
		return fmt.Errorf("seed incidents: %w", err)
	}
	if err := st.Upsert(ctx, places, incidents, "seed"); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d places and %d incidents\n", len(places), len(incidents))
	return nil
}
