package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"incidentmap/ingest"
	"incidentmap/store"
)

// importCommand loads a GeoJSON, GeoJSONSeq, ACLED or UCDP file (or stdin)
// in one transaction: all of it or, at the first bad row, none of it.
func importCommand(fs *flag.FlagSet, _ *config) func(context.Context, *env, []string) error {
	format := fs.String("format", "", "geojson, geojsonseq, acled or ucdp (guessed from the content if absent)")
	dryRun := fs.Bool("dry-run", false, "read, geocode and validate everything, then store nothing")
	return func(ctx context.Context, e *env, args []string) error {
		if *format != "" && !slices.Contains(ingest.Formats, *format) {
			return fmt.Errorf("import: --format %q is not one of %s", *format, strings.Join(ingest.Formats, ", "))
		}
		in := io.Reader(e.stdin)
		if args[0] != "-" {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			defer f.Close() //nolint:errcheck // opened read-only: Close has nothing to report
			in = f
		}
		st, err := e.store()
		if err != nil {
			return err
		}
		if err := st.Migrate(ctx); err != nil {
			return err
		}
		// Decoding makes short-lived garbage at a steady rate while the
		// live heap stays a few batches: collecting four times less often
		// saves most of the CPU the collector takes, and the process's
		// memory still stays flat whatever the file's size (BENCHMARKS.md,
		// "Figures behind the code").
		debug.SetGCPercent(400)
		started := time.Now()
		n, err := importFile(ctx, st, in, *format, "import "+args[0], *dryRun)
		if err != nil {
			return fmt.Errorf("import %s: %w (nothing was stored)", args[0], err)
		}
		took := time.Since(started)
		verb := "imported"
		if *dryRun {
			verb = "checked (dry run, nothing stored)"
		}
		_, err = fmt.Fprintf(e.stdout, "%s %d incidents in %.1f s (%.0f/s)\n", verb, n, took.Seconds(), float64(n)/took.Seconds())
		return err
	}
}

// importFile reads, geocodes, validates and stores one file.
func importFile(ctx context.Context, st *store.Store, r io.Reader, format, author string, dryRun bool) (int, error) {
	reader, err := ingest.ReadChecked(ctx, format, r, st)
	if err != nil {
		return 0, err
	}
	return st.Import(ctx, reader, author, dryRun)
}
