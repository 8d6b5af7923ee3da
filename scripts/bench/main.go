// Command bench measures incidentmap's vector tiles on a database of N
// synthetic incidents (scripts/bench.sh loads it), side by side:
//
//	(a) cold tiles through the real server (bin/incidentmap serve), one at a time
//	(b) the same tiles through the plain ST_AsMVT query of sql/baseline_tile.sql
//	(c) warm tiles under wrk, gzipped and not, against a bare net/http
//	    handler serving the same bodies, in alternating rounds
//	(d) the server's resident memory
//	(e) the time to ready from the saved tile index
//	(f) CQL2 filters (issue 14): the cold tiles of (a) with filters the
//	    tile index holds, side by side with the same tiles unfiltered;
//	    items pages with them; tiles PostGIS builds for filters it does not
//	(g) low zoom (issue 15, -only pyramid): tiles of zooms 0-7 cold from
//	    the index's pyramid of cell sums and by a scan, in memory
//	(h) live streams (issue 16): memory and CPU of idle /changes/stream
//	    connections, and the time from a write to its event on them
//
// and writes the figures, with the machine and the command, to a section of
// BENCHMARKS.md (one section per N, other sections kept). With -only warm it
// runs (c) alone (fetching its tiles once first) and replaces only the warm
// figures of the section; with -only cql, (f) alone; with -only live, (h);
// with -only pyramid, it writes (g), the low zoom tiles of issue 15, from
// the JSON of tiles' BenchmarkPyramidLowZoom (scripts/bench.sh runs it; no
// database).
//
//	go run ./scripts/bench -db URL -bin bin/incidentmap -n N -out BENCHMARKS.md [-only warm|cql]
//	go run ./scripts/bench -only pyramid -pyramid-json FILE -n N -out BENCHMARKS.md
//	bench -bare ADDR -bare-bodies FILE    (internal: the bare handler (c) compares with)
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"incidentmap/scripts/harness"
)

// config is every knob of a run.
type config struct {
	harness.Options           // -db, -bin, -out, -ready-timeout
	harness.Provenance        // -cmd, -load
	indexSnapshot      string // INCIDENTMAP_INDEX_SNAPSHOT of the server; "": none
	n                  int
	seed               uint64
	tiles              int           // cold tiles to request
	baselineBudget     time.Duration // time allowed for (b)
	baselineTimeout    time.Duration // per baseline query
	baselinePerBand    int
	warmTiles          int
	loadFor            time.Duration // each wrk run
	conns              int
	threads            int           // of wrk
	rounds             int           // of the warm load: each runs every target and encoding once
	cqlItems           int           // items pages of (f) per covered filter
	cqlDBTiles         int           // tiles of (f) per uncovered filter (PostGIS-built)
	cqlDBBudget        time.Duration // time allowed for those
	liveStreams        int           // idle streams of (h)
	liveIdle           time.Duration // how long (h) measures them idle
	liveWrites         int           // writes (h) times to their events
	only               string
	pyramidJSON        string // -only pyramid: the figures of tiles' BenchmarkPyramidLowZoom
}

// prog names this command in its diagnostics.
const prog harness.Program = "bench"

var logf = prog.Logf

func main() {
	var c config
	bare := flag.String("bare", "", "internal: serve the bodies of -bare-bodies on this address and nothing else")
	bareBodies := flag.String("bare-bodies", "", "internal: the tiles -bare serves (JSON)")
	c.Options.Register(flag.CommandLine)
	c.Provenance.Register(flag.CommandLine)
	flag.IntVar(&c.n, "n", 0, "how many synthetic incidents the database holds (required)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the tile and window choice")
	flag.IntVar(&c.tiles, "tiles", 600, "cold tiles to request")
	flag.DurationVar(&c.baselineBudget, "baseline-budget", 3*time.Minute, "time allowed for the baseline queries")
	flag.DurationVar(&c.baselineTimeout, "baseline-timeout", 90*time.Second, "time allowed for one baseline query")
	flag.IntVar(&c.baselinePerBand, "baseline-per-band", 10, "random tiles per zoom band for the baseline")
	flag.IntVar(&c.warmTiles, "warm-tiles", 50, "tiles in the warm load")
	flag.DurationVar(&c.loadFor, "load-for", 4*time.Second, "duration of each wrk run (whole seconds)")
	flag.IntVar(&c.conns, "conns", 64, "concurrent keep-alive connections of the warm load")
	flag.StringVar(&c.indexSnapshot, "index-snapshot", "", "the server's saved tile index (removed first): "+
		"the first start loads from PostGIS and saves it, a last start reads it back; empty: no saved index")
	flag.IntVar(&c.threads, "threads", 2, "wrk threads")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds of the warm load (each: server and bare handler, gzip and identity)")
	flag.IntVar(&c.cqlItems, "cql-items", 200, "items pages of (f) per CQL2 filter the index holds")
	flag.IntVar(&c.cqlDBTiles, "cql-db-tiles", 30, "tiles of (f) per CQL2 filter PostGIS answers")
	flag.DurationVar(&c.cqlDBBudget, "cql-db-budget", 90*time.Second, "time allowed for the tiles PostGIS answers in (f)")
	flag.IntVar(&c.liveStreams, "live-streams", 1000, "idle live streams of (h)")
	flag.DurationVar(&c.liveIdle, "live-idle", 30*time.Second, "how long (h) measures the idle streams")
	flag.IntVar(&c.liveWrites, "live-writes", 20, "writes (h) times to their events")
	flag.StringVar(&c.only, "only", "", `"warm", "cql", "live" or "pyramid": run only the warm load (c), the CQL2 filters (f) or the live streams (h), or report only the low zoom figures (g) of -pyramid-json, and update only their figures`)
	flag.StringVar(&c.pyramidJSON, "pyramid-json", "", "with -only pyramid: the JSON BenchmarkPyramidLowZoom wrote (BENCH_PYRAMID_OUT)")
	flag.Parse()
	if *bare != "" {
		if err := serveBare(*bare, *bareBodies); err != nil {
			fmt.Fprintln(os.Stderr, "bench -bare:", err)
			os.Exit(1)
		}
		return
	}
	pyramidOK := c.only != "pyramid" || c.pyramidJSON != ""
	if (c.DB == "" && c.only != "pyramid") || c.n <= 0 || !slices.Contains([]string{"", "warm", "cql", "live", "pyramid"}, c.only) || !pyramidOK || c.cqlDBTiles < 1 || c.rounds < 1 || c.loadFor < time.Second {
		fmt.Fprintln(os.Stderr, "usage: bench -db URL -n N [-bin bin/incidentmap] [-out BENCHMARKS.md] [-only warm|cql|live|pyramid] [-pyramid-json F] [-rounds R] [-load-for D]")
		os.Exit(2)
	}
	c.Cmd = prog.Command(c.Cmd)
	prog.Run(func(ctx context.Context) error { return run(ctx, c) })
}

// run measures (a) to (d) and writes the report.
func run(ctx context.Context, c config) error {
	switch c.only {
	case "warm":
		return runOnlyWarm(ctx, c)
	case "cql":
		return runOnlyCQL(ctx, c)
	case "live":
		return runOnlyLive(ctx, c)
	case "pyramid":
		return runOnlyPyramid(ctx, c)
	}
	r := &report{cfg: c, Run: harness.Run{Started: time.Now().UTC()}}
	r.loadAvg[0] = harness.LoadAvg(1)
	r.Machine = harness.DescribeMachine(ctx, c.DB)
	plan, err := planTiles(ctx, c)
	if err != nil {
		return err
	}
	srv, err := startFresh(ctx, c)
	if err != nil {
		return err
	}
	defer srv.Stop()
	r.Ready, r.readyWarning = srv.ReadyAfter, srv.Warning
	r.rssReady = srv.Memory()
	if err := waitSaved(ctx, c.indexSnapshot); err != nil {
		return err
	}
	logf("(a) %d cold tiles, one at a time", len(plan))
	r.cold = fetchCold(ctx, srv.Base, plan)
	logf("(b) baseline: the same tiles through sql/baseline_tile.sql (budget %s)", c.baselineBudget)
	r.base, err = runBaseline(ctx, c, r.cold)
	if err != nil {
		return err
	}
	logf("(c) warm: %d tiles, wrk with %d connections, %d rounds of %s runs", c.warmTiles, c.conns, c.rounds, c.loadFor)
	cold := make([]tileReq, len(r.cold))
	for i, t := range r.cold {
		cold[i] = t.tileReq
	}
	paths := pickWarm(c.seed, c.warmTiles, cold, func(i int) bool { return r.cold[i].ok() })
	r.warm, err = runWarm(ctx, c, srv, paths)
	if err != nil {
		return err
	}
	r.rss = srv.Memory()
	r.loadAvg[1] = harness.LoadAvg(1)
	if err := srv.Stop(); err != nil {
		logf("stopping the server: %v", err)
	}
	if r.saved, err = restartFromSaved(ctx, c); err != nil {
		return err
	}
	if r.cql, err = runCQL(ctx, c, plan); err != nil {
		return err
	}
	if r.live, err = runLive(ctx, c); err != nil {
		return err
	}
	text := r.markdown()
	return emit(c, text, func() error { return updateReport(c.Out, c.n, text) })
}

// emit prints text and, when the run has an -out report, updates it.
func emit(c config, text string, update func() error) error {
	fmt.Println(text)
	if c.Out == "" {
		return nil
	}
	return update()
}

// runOnlyWarm runs (c) alone: the warm tiles are the ones the full run
// would pick (fetched once here, which makes them warm), and only the warm
// figures of the report's section change.
func runOnlyWarm(ctx context.Context, c config) error {
	r := &report{cfg: c, Run: harness.Run{Started: time.Now().UTC()}}
	r.Machine = harness.DescribeMachine(ctx, c.DB)
	plan, err := planTiles(ctx, c)
	if err != nil {
		return err
	}
	srv, err := harness.StartServer(ctx, harness.ServerConfig{
		Prog: prog, Bin: c.Bin, DB: c.DB, ReadyTimeout: c.ReadyTimeout, NoTileIndexOK: true})
	if err != nil {
		return err
	}
	defer srv.Stop()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	paths := pickWarm(c.seed, c.warmTiles, plan, func(i int) bool {
		return fetchTile(ctx, client, srv.Base, plan[i]).ok()
	})
	client.CloseIdleConnections()
	logf("(c) warm: %d tiles, wrk with %d connections, %d rounds of %s runs", len(paths), c.conns, c.rounds, c.loadFor)
	r.warm, err = runWarm(ctx, c, srv, paths)
	if err != nil {
		return err
	}
	r.rss = srv.Memory()
	if err := srv.Stop(); err != nil {
		logf("stopping the server: %v", err)
	}
	return emit(c, r.warmMarkdown(), func() error { return updateWarm(c.Out, c.n, r) })
}
