package harness

import (
	"flag"
	"time"
)

// Options are the flags both programs have, with the same meaning: the
// database, the server binary, the report, and how long the server may take
// to get ready.
type Options struct {
	DB, Bin, Out string
	ReadyTimeout time.Duration
}

// Register defines -db, -bin, -out and -ready-timeout on fs.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "database URL (required)")
	fs.StringVar(&o.Bin, "bin", "bin/incidentmap", "the incidentmap binary")
	fs.StringVar(&o.Out, "out", "BENCHMARKS.md", "the report to update; empty: print only")
	fs.DurationVar(&o.ReadyTimeout, "ready-timeout", 30*time.Minute, "how long the server may take to load its index")
}
