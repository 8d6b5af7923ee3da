package cli

import (
	"context"
	"fmt"
	"io"

	"incidentmap/ingest"
	seeddata "incidentmap/sql/seed"
	"incidentmap/store"
)

// Seed loads the bundled places and incidents in one transaction.
// Re-running it replaces them by id: it never duplicates. The incidents go
// through the one decoder of writes and imports (ingest.DecodeIncidents).
func Seed(ctx context.Context, st *store.Store, stdout io.Writer) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	places, err := decodeSeed("places.geojson", ingest.DecodePlaces)
	if err != nil {
		return err
	}
	incidents, err := decodeSeed("incidents.geojson", ingest.DecodeIncidents)
	if err != nil {
		return err
	}
	if err := st.Upsert(ctx, places, incidents, "seed"); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "seeded %d places and %d incidents\n", len(places), len(incidents))
	return err
}

// decodeSeed opens one bundled seed file and decodes it with decode.
func decodeSeed[T any](name string, decode func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := seeddata.Files.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := decode(f)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", name, err)
	}
	return out, nil
}
