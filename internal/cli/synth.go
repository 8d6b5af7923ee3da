package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"incidentmap/geo"
	"incidentmap/internal/synth"
	"incidentmap/store"
)

// maxSynth is the largest --count synth accepts.
const maxSynth = 50_000_000

// synthOptions are the flags of `incidentmap synth`.
type synthOptions struct {
	count int
	seed  uint64
}

func (o *synthOptions) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.count, "count", 0, "how many incidents (1..50,000,000; required)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same incidents")
}

func (o *synthOptions) check() error {
	if o.count < 1 || o.count > maxSynth {
		return fmt.Errorf("synth: --count must be 1..%d, got %d", maxSynth, o.count)
	}
	return nil
}

// synthesize migrates, then loads o.count synthetic incidents through
// CopyIncidents in one transaction, and reports the rate on stdout.
func synthesize(ctx context.Context, st *store.Store, o synthOptions, stdout io.Writer) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	n, err := st.CopyIncidents(ctx, synth.Incidents(o.seed, o.count))
	if err != nil {
		var ge *geo.Error
		if errors.As(err, &ge) && ge.Code == geo.EInvalid {
			return fmt.Errorf("synth: %w (are incidents of seed %d already loaded?)", err, o.seed)
		}
		return fmt.Errorf("synth: %w", err)
	}
	secs := time.Since(start).Seconds()
	_, err = fmt.Fprintf(stdout, "synthesized %d incidents in %.1f s (%.0f/s)\n", n, secs, float64(n)/secs)
	return err
}
