package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"incidentmap/scripts/harness"
)

// markdown renders the run as one section of BENCHMARKS.md.
func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.machine
	w("## N = %s synthetic incidents", harness.Thousands(int64(r.cfg.n)))
	w("")
	w("Run %s on %d × %s, %s; %s; PostgreSQL %s, PostGIS %s; incidentmap %s.",
		r.started.Format("2006-01-02 15:04 UTC"), m.CPUs, m.Model, m.Mem(), m.GoVersion, m.Postgres, m.PostGIS, m.Commit)
	w("")
	w("Load average (1 min) %s at the start, %s at the end: on a %d-core machine anything above about 1 (the bench "+
		"itself) means other work shared the CPUs and the figures are pessimistic.", r.loadAvg[0], r.loadAvg[1], m.CPUs)
	w("")
	w("Command: `%s`", r.cfg.cmd)
	if r.cfg.load != "" {
		w("")
		w("Data: %s", r.cfg.load)
	}
	w("")
	w("The server was ready (tile index loaded) %s after it started; RSS then %s.",
		r.ready.Round(100*time.Millisecond), harness.Size(r.rssReady.RSS))
	if r.readyWarning != "" {
		w("Warning: %s.", r.readyWarning)
	}
	if s := r.saved; s != nil {
		w("")
		w("Started again after the runs, from the tile index the first start saved (INCIDENTMAP_INDEX_SNAPSHOT, %s): "+
			"ready %s after it started; peak RSS (VmHWM) then %s, against %s for the start that loaded from PostGIS.",
			harness.Size(s.fileSize), s.ready.Round(10*time.Millisecond), harness.Size(s.memory.HWM), harness.Size(r.rssReady.HWM))
	}
	w("")
	w("| figure | measured | target | met | |")
	w("|---|---|---|---|---|")
	for _, t := range r.targets() {
		w("| %s | %s | %s | %s | %s |", t.name, t.measured, t.limit, harness.YesNo(t.met), t.note)
	}
	r.coldSection(w)
	r.baselineSection(w)
	r.warmSection(w)
	return b.String()
}

func (r *report) coldSection(w func(string, ...any)) {
	w("")
	w("### (a) Cold tiles through the server")
	w("")
	w("%d tiles, each (tile, window) distinct, one request at a time with `Accept-Encoding: gzip`, latency measured by the client "+
		"from request to last byte. z uniform in 3..14 around the synth towns (jittered by up to a tile), windows 1 day to "+
		"10 years (log-uniform) inside 2012-2026, plus the all-years window on the busiest tile of each zoom 3..7.", len(r.cold))
	w("")
	w("| zoom | tiles | errors | p50 | p99 | max | largest (wire / uncompressed, features) |")
	w("|---|---|---|---|---|---|---|")
	row := func(name string, s coldStats) {
		w("| %s | %d | %d | %s | %s | %s | %s / %s, %d features (%s %s) |", name, s.tiles, s.errors, harness.MS(s.p50), harness.MS(s.p99),
			harness.MS(s.max), harness.Size(int64(s.largest.wire)), harness.Size(int64(s.largest.raw)), s.largest.features, s.largest, s.largest.window())
	}
	for i, b := range bands {
		row(b.name, summarise(r.cold, func(c coldResult) bool { return bandOf(c.z) == i }))
	}
	all := summarise(r.cold, func(coldResult) bool { return true })
	row("all", all)
	w("")
	w("All-years tiles (2012-01-01/2026-12-31):")
	w("")
	for _, c := range r.cold {
		if c.allYears {
			w("- %s: %s, %s on the wire, %s uncompressed, %d features%s", c, harness.MS(c.latency), harness.Size(int64(c.wire)),
				harness.Size(int64(c.raw)), c.features, errSuffix(c.err))
		}
	}
	if len(all.over500KB) > 0 {
		w("")
		w("Tiles over 500 KB uncompressed:")
		for _, c := range all.over500KB {
			w("- %s %s: %s", c, c.window(), harness.Size(int64(c.raw)))
		}
	}
	shown := 0
	for _, c := range r.cold {
		if !c.ok() && shown < 5 {
			if shown == 0 {
				w("")
				w("Errors (first five):")
			}
			w("- %s %s: %s", c, c.window(), c.err)
			shown++
		}
	}
}

func errSuffix(err string) string {
	if err == "" {
		return ""
	}
	return " — error: " + err
}

func (r *report) baselineSection(w func(string, ...any)) {
	w("")
	w("### (b) Baseline: the plain ST_AsMVT query")
	w("")
	w("`sql/baseline_tile.sql` run directly with lib/pq on the same database: the query pg_tileserv runs for a table layer "+
		"(tile envelope transformed to 4326 so that the GiST index on `geom` serves the box test; GiST on the time point for "+
		"the window), with no aggregation and no feature limit. Sample: up to %d random tiles per band from (a) and the "+
		"all-years tiles, taken in turn, within a budget of %s (per query at most %s).",
		r.cfg.baselinePerBand, r.cfg.baselineBudget, r.cfg.baselineTimeout)
	if r.base.skipped > 0 {
		w("%d sampled tiles were skipped: the budget ran out.", r.base.skipped)
	}
	w("")
	w("Query plan (scans):")
	w("")
	for _, line := range r.base.plan {
		w("    %s", line)
	}
	w("")
	w("| zoom | tiles | ours p50 | baseline p50 | speed-up | baseline largest (MVT / gzipped) |")
	w("|---|---|---|---|---|---|")
	for i, b := range bands {
		keep := func(x baseResult) bool { return bandOf(x.z) == i && !x.allYears }
		w("| %s random windows | %s |", b.name, r.baselineRow(keep))
	}
	w("| z3-7 all years | %s |", r.baselineRow(func(x baseResult) bool { return x.allYears }))
	w("| z3-7 all sampled | %s |", r.baselineRow(func(x baseResult) bool { return x.z <= 7 }))
	w("")
	w("Every baseline tile:")
	w("")
	for _, x := range r.base.results {
		w("- %s %s: baseline %s, %s MVT (%s gzipped); ours %s%s", x.tileReq, x.window(), harness.MS(x.latency),
			harness.Size(int64(x.raw)), harness.Size(int64(x.gz)), harness.MS(x.ours), errSuffix(x.err))
	}
}

func (r *report) baselineRow(keep func(baseResult) bool) string {
	s := compare(r.base.results, keep)
	var largest baseResult
	for _, x := range r.base.results {
		if keep(x) && x.raw > largest.raw {
			largest = x
		}
	}
	return fmt.Sprintf("%d | %s | %s | %s | %s / %s (%s)", s.tiles, harness.MS(s.ours), harness.MS(s.baseline), ratio(s),
		harness.Size(int64(largest.raw)), harness.Size(int64(largest.gz)), largest.tileReq)
}

func (r *report) warmSection(w func(string, ...any)) {
	w("")
	w("### (c) Warm tiles under load, (d) memory")
	w("")
	w("Closed loop for %s with %d keep-alive connections (Go net/http client) over loopback, from the bench process. "+
		"Warm: %d tiles of (a), each fetched once first. Bare: a `net/http` handler serving a 30 KB random blob from memory, "+
		"in a subprocess of its own (`bench -bare`).", r.cfg.loadFor, r.cfg.conns, r.cfg.warmTiles)
	w("")
	w("| load | req/s | errors | p50 | p99 | mean body |")
	w("|---|---|---|---|---|---|")
	for _, l := range []struct {
		name string
		res  loadResult
	}{{"warm tiles", r.warm}, {"bare handler", r.bare}} {
		mean := int64(0)
		if l.res.requests > 0 {
			mean = l.res.bytes / l.res.requests
		}
		w("| %s | %.0f | %d | %s | %s | %s |", l.name, l.res.perSecond(), l.res.errors, harness.MS(l.res.p50), harness.MS(l.res.p99), harness.Size(mean))
	}
	if r.warm.firstErr != "" {
		w("")
		w("First warm error: %s", r.warm.firstErr)
	}
	w("")
	w("Server memory after the runs (/proc/PID/status): VmHWM %s, VmRSS %s.", harness.Size(r.rss.HWM), harness.Size(r.rss.RSS))
}

// sectionHeader matches the heading of a section of this benchmark and
// captures its N.
var sectionHeader = regexp.MustCompile(`^## N = ([0-9,]+)`)

// reportIntro starts a new report.
const reportIntro = "# Benchmarks\n\nWritten by `make bench` (scripts/bench.sh, scripts/bench): one section per N, " +
	"`BENCH_N=N make bench` replaces its own. Targets are those of issue 3.\n"

// updateReport replaces the section for n in the report at path, or adds it
// before the first section of a larger N (or at the end). Everything else,
// including sections other tools write, is kept as it was.
func updateReport(path string, n int, section string) error {
	sectionN := func(heading string) int {
		m := sectionHeader.FindStringSubmatch(heading)
		if m == nil {
			return -1
		}
		k, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		return k
	}
	return harness.UpdateSection(path, reportIntro, section,
		func(h string) bool { return sectionN(h) == n },
		func(h string) bool { return sectionN(h) > n })
}
