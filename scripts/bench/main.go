// Command bench measures incidentmap's vector tiles on a database of N
// synthetic incidents (scripts/bench.sh loads it), side by side:
//
//	(a) cold tiles through the real server (bin/incidentmap serve), one at a time
//	(b) the same tiles through the plain ST_AsMVT query of sql/baseline_tile.sql
//	(c) warm tiles under a closed-loop load, against a bare net/http handler
//	(d) the server's resident memory
//
// and writes the figures, with the machine and the command, to a section of
// BENCHMARKS.md (one section per N, other sections kept).
//
//	go run ./scripts/bench -db URL -bin bin/incidentmap -n N -out BENCHMARKS.md
//	bench -bare ADDR    (internal: the bare handler (c) compares with)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config is every knob of a run.
type config struct {
	db, bin, out, cmd, load string
	n                       int
	seed                    uint64
	tiles                   int           // cold tiles to request
	baselineBudget          time.Duration // time allowed for (b)
	baselineTimeout         time.Duration // per baseline query
	baselinePerBand         int
	warmTiles               int
	loadFor                 time.Duration
	conns                   int
	readyTimeout            time.Duration
}

func main() {
	var c config
	bare := flag.String("bare", "", "internal: serve a 30 KB blob on this address and nothing else")
	flag.StringVar(&c.db, "db", "", "database URL (required)")
	flag.StringVar(&c.bin, "bin", "bin/incidentmap", "the incidentmap binary")
	flag.IntVar(&c.n, "n", 0, "how many synthetic incidents the database holds (required)")
	flag.StringVar(&c.out, "out", "BENCHMARKS.md", "the report to update; empty: print only")
	flag.StringVar(&c.cmd, "cmd", "", "the command that started the benchmark, for the report")
	flag.StringVar(&c.load, "load", "", "how the data was loaded (synth's output), for the report")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the tile and window choice")
	flag.IntVar(&c.tiles, "tiles", 600, "cold tiles to request")
	flag.DurationVar(&c.baselineBudget, "baseline-budget", 3*time.Minute, "time allowed for the baseline queries")
	flag.DurationVar(&c.baselineTimeout, "baseline-timeout", 90*time.Second, "time allowed for one baseline query")
	flag.IntVar(&c.baselinePerBand, "baseline-per-band", 10, "random tiles per zoom band for the baseline")
	flag.IntVar(&c.warmTiles, "warm-tiles", 50, "tiles in the warm load")
	flag.DurationVar(&c.loadFor, "load-for", 10*time.Second, "duration of each warm load")
	flag.IntVar(&c.conns, "conns", 64, "concurrent keep-alive connections of the warm load")
	flag.DurationVar(&c.readyTimeout, "ready-timeout", 30*time.Minute, "how long the server may take to load its index")
	flag.Parse()
	if *bare != "" {
		if err := serveBare(*bare); err != nil {
			fmt.Fprintln(os.Stderr, "bench -bare:", err)
			os.Exit(1)
		}
		return
	}
	if c.db == "" || c.n <= 0 {
		fmt.Fprintln(os.Stderr, "usage: bench -db URL -n N [-bin bin/incidentmap] [-out BENCHMARKS.md]")
		os.Exit(2)
	}
	if c.cmd == "" {
		c.cmd = "go run ./scripts/bench " + strings.Join(os.Args[1:], " ")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run measures (a) to (d) and writes the report.
func run(ctx context.Context, c config) error {
	r := &report{cfg: c, started: time.Now().UTC()}
	r.loadAvg[0] = loadAvg()
	r.machine = describeMachine(ctx, c.db)
	plan, err := planTiles(ctx, c)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, c)
	if err != nil {
		return err
	}
	defer srv.stop()
	r.ready, r.readyWarning = srv.readyAfter, srv.warning
	r.rssReady = srv.memory()
	logf("(a) %d cold tiles, one at a time", len(plan))
	r.cold = fetchCold(ctx, srv.base, plan)
	logf("(b) baseline: the same tiles through sql/baseline_tile.sql (budget %s)", c.baselineBudget)
	r.base, err = runBaseline(ctx, c, r.cold)
	if err != nil {
		return err
	}
	logf("(c) warm: %d tiles, %d connections, %s", c.warmTiles, c.conns, c.loadFor)
	r.warm, r.bare, err = runWarm(ctx, c, srv.base, r.cold)
	if err != nil {
		return err
	}
	r.rss = srv.memory()
	r.loadAvg[1] = loadAvg()
	if err := srv.stop(); err != nil {
		logf("stopping the server: %v", err)
	}
	text := r.markdown()
	fmt.Println(text)
	if c.out != "" {
		return updateReport(c.out, c.n, text)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
