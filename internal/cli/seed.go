package cli

import (
	"context"
	"fmt"
	"io"

	"incidentmap/geo"
	seeddata "incidentmap/sql/seed"
	"incidentmap/store"
)

// Seed loads the bundled places and incidents in one transaction.
// Re-running it replaces them by id: it never duplicates.
func Seed(ctx context.Context, st *store.Store, stdout io.Writer) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	pf, err := seeddata.Files.Open("places.geojson")
	if err != nil {
		return err
	}
	defer pf.Close()
	places, err := geo.DecodePlaces(pf)
	if err != nil {
		return fmt.Errorf("seed places: %w", err)
	}
	inf, err := seeddata.Files.Open("incidents.geojson")
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
	_, err = fmt.Fprintf(stdout, "seeded %d places and %d incidents\n", len(places), len(incidents))
	return err
}
