package harness

import (
	"flag"
	"time"
)

// Run is what every report of a run begins with: when it started, on what
// machine, and how long the server took to be ready (its tile index
// loaded).
type Run struct {
	Started time.Time
	Machine Machine
	Ready   time.Duration
}

// Provenance is how a run was started, for its report: the command that
// started it and how its data were loaded.
type Provenance struct {
	Cmd, Load string
}

// Register defines -cmd and -load on fs.
func (p *Provenance) Register(fs *flag.FlagSet) {
	fs.StringVar(&p.Cmd, "cmd", "", "the command that started the run, for the report")
	fs.StringVar(&p.Load, "load", "", "how the data were loaded (synth's output), for the report")
}
