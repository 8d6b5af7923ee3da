package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"incidentmap/scripts/harness"
)

// markdown renders the run as one section of BENCHMARKS.md.
func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.Machine
	w("## N = %s synthetic incidents", harness.Thousands(int64(r.cfg.n)))
	w("")
	w("Run %s on %d × %s, %s; %s; PostgreSQL %s, PostGIS %s; incidentmap %s.",
		r.Started.Format("2006-01-02 15:04 UTC"), m.CPUs, m.Model, m.Mem(), m.GoVersion, m.Postgres, m.PostGIS, m.Commit)
	w("")
	w("Load average (1 min) %s at the start, %s at the end: on a %d-core machine anything above about 1 (the bench "+
		"itself) means other work shared the CPUs and the figures are pessimistic.", r.loadAvg[0], r.loadAvg[1], m.CPUs)
	w("")
	w("Command: `%s`", r.cfg.Cmd)
	if r.cfg.Load != "" {
		w("")
		w("Data: %s", r.cfg.Load)
	}
	w("")
	w("The server was ready (tile index loaded) %s after it started; RSS then %s.",
		r.Ready.Round(100*time.Millisecond), harness.Size(r.rssReady.RSS))
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
		w("%s", targetRow(t))
	}
	r.coldSection(w)
	r.baselineSection(w)
	r.warmSection(w)
	if r.cql != nil {
		w("")
		w("%s", strings.TrimRight(r.cqlMarkdown(), "\n"))
	}
	if r.live != nil {
		w("")
		w("%s", strings.TrimRight(r.live.markdown(), "\n"))
	}
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
	w("%s", strings.TrimRight(r.warmMarkdown(), "\n"))
}

// warmHeading starts the subsection of the warm figures.
const warmHeading = "### (c) Warm tiles under load, (d) memory"

// warmMarkdown renders the warm figures, (c) and (d), as a subsection that
// says when and how it ran (a -only warm run replaces it alone).
func (r *report) warmMarkdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	c, m := r.cfg, r.warm
	w("%s", warmHeading)
	w("")
	w("Run %s, load average (1 min) %s at the start and %s at the end; command `%s`.",
		m.started.Format("2006-01-02 15:04 UTC"), m.loadAvg[0], m.loadAvg[1], c.Cmd)
	w("")
	w("wrk (Debian's `wrk`, %d threads, %d keep-alive connections, runs of %s) over loopback cycles through the same %d "+
		"warm tiles of (a) (a Lua script; each thread starts at the first path) against the server, whose cache holds "+
		"each tile in both encodings (each fetched once gzipped and once not before the runs), and against a bare "+
		"`net/http` handler in a process of its own (`bench -bare`) that serves the very same bodies from a map by path: "+
		"gzipped to `Accept-Encoding: gzip`, identity to a request without Accept-Encoding. Mean body %s gzipped, %s "+
		"identity. %d rounds; each runs both targets in both encodings, alternating which target goes first. "+
		"warm / bare is the median over the rounds of the ratio of a round's two runs; the other figures are medians "+
		"over the rounds. Server CPU is the served process's user and system time over the run (/proc/PID/stat) "+
		"divided by its requests: less sensitive than req/s to other work on the machine.",
		c.threads, c.conns, c.loadFor, len(m.tiles), harness.Size(m.meanSize(true)), harness.Size(m.meanSize(false)), c.rounds)
	w("")
	w("| encoding | warm req/s | bare req/s | warm / bare | target | server CPU a request, warm / bare |")
	w("|---|---|---|---|---|---|")
	for _, gzipped := range encodings {
		warm, bare := m.of(targetWarm, gzipped), m.of(targetBare, gzipped)
		w("| %s | %.0f | %.0f | %.2f | ≥ %.1f | %.1f µs / %.1f µs |", encodingName(gzipped), medianRate(warm), medianRate(bare),
			m.ratio(gzipped), warmLimits[gzipped], medianMicros(warm), medianMicros(bare))
	}
	w("")
	if m.clientErr != "" {
		w("Client check failed: %s: these figures may measure wrk, not the server.", m.clientErr)
	} else {
		w("Client check: wrk drove the bare handler past the server in both encodings, so the server, not wrk, set the warm figures.")
	}
	w("")
	w("Every run:")
	w("")
	w("| round | encoding | target | req/s | failed | p50 | p99 | server CPU a request | wrk cores |")
	w("|---|---|---|---|---|---|---|---|---|")
	for _, x := range m.runs {
		w("| %d | %s | %s | %.0f | %d | %s | %s | %.1f µs | %.2f |", x.round, encodingName(x.gzip), x.target, x.perSecond(),
			x.errors+x.non2xx, harness.MS(x.p50), harness.MS(x.p99), x.serverMicros(), x.clientCores())
	}
	w("")
	w("Server memory after the runs (/proc/PID/status): VmHWM %s, VmRSS %s.", harness.Size(r.rss.HWM), harness.Size(r.rss.RSS))
	return b.String()
}

// targetRow renders one row of the targets table.
func targetRow(t target) string {
	return fmt.Sprintf("| %s | %s | %s | %s | %s |", t.name, t.measured, t.limit, harness.YesNo(t.met), t.note)
}

// updateWarm replaces the warm figures in the section for n of the report
// at path: the warm rows of its targets table and its warm subsection. When
// the section is missing it starts one holding only those.
func updateWarm(path string, n int, r *report) error {
	return updatePart(path, n, "warm load (c)", "BENCH_ONLY=warm", warmRowName, warmHeading, r.warmTargets(), r.warmMarkdown())
}

// updatePart replaces one part of the section for n of the report at path:
// the rows of its targets table whose names start with rowPrefix, and its
// subsection headed heading. When the section is missing it starts one
// holding only that part (what names it, only the mode that ran it).
func updatePart(path string, n int, what, only, rowPrefix, heading string, targets []target, sub string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var rows []string
	for _, t := range targets {
		rows = append(rows, targetRow(t))
	}
	sectionHeading := fmt.Sprintf("## N = %s synthetic incidents", harness.Thousands(int64(n)))
	section, ok := findSection(string(old), sectionHeading)
	if !ok {
		section = sectionHeading + "\n\nOnly the " + what + " has run here (`" + only + "`).\n\n" +
			"| figure | measured | target | met | |\n|---|---|---|---|---|\n"
	}
	return updateReport(path, n, replacePart(section, rowPrefix, heading, rows, sub))
}

// findSection returns the "## " section of text whose first line is
// heading, up to the next "## " heading.
func findSection(text, heading string) (string, bool) {
	at := -1
	if strings.HasPrefix(text, heading+"\n") {
		at = 0
	} else if i := strings.Index(text, "\n"+heading+"\n"); i >= 0 {
		at = i + 1
	}
	if at < 0 {
		return "", false
	}
	rest := text[at:]
	if end := strings.Index(rest[len(heading):], "\n## "); end >= 0 {
		return rest[:len(heading)+end+1], true
	}
	return rest, true
}

// replaceWarm puts rows in place of the warm rows of section's targets
// table (after its last row when it has none) and sub in place of its warm
// subsection (at its end when it has none).
func replaceWarm(section string, rows []string, sub string) string {
	return replacePart(section, warmRowName, warmHeading, rows, sub)
}

// replacePart puts rows in place of the rows of section's targets table
// whose names start with rowPrefix (after its last row when it has none)
// and sub in place of its subsection headed heading (at its end when it
// has none).
func replacePart(section, rowPrefix, heading string, rows []string, sub string) string {
	var lines []string
	at := -1 // where the rows go
	for _, line := range strings.Split(strings.TrimRight(section, "\n"), "\n") {
		if strings.HasPrefix(line, "| "+rowPrefix) {
			if at < 0 {
				at = len(lines)
			}
			continue
		}
		lines = append(lines, line)
	}
	if at < 0 {
		at = endOfFirstTable(lines)
	}
	lines = slices.Insert(lines, at, rows...)
	text := strings.Join(lines, "\n") + "\n"
	start := strings.Index(text, heading+"\n")
	if start < 0 {
		return text + "\n" + sub
	}
	end := len(text)
	if i := strings.Index(text[start+len(heading):], "\n### "); i >= 0 {
		end = start + len(heading) + i + 1
	}
	return text[:start] + strings.TrimRight(sub, "\n") + "\n" + strings.TrimLeft(text[end:], "\n")
}

// endOfFirstTable is the index of the line after the first markdown table
// of lines (len(lines) when there is none).
func endOfFirstTable(lines []string) int {
	inTable := false
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "|"):
			inTable = true
		case inTable:
			return i
		}
	}
	return len(lines)
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
