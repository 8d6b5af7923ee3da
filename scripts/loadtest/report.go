package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"incidentmap/scripts/harness"
)

// report is everything one run measured.
type report struct {
	harness.Run
	cfg      config
	png      string      // what became of /map.png
	main     loadResult  // the closed loop
	paced    *loadResult // the same mix at a set rate; nil when not run
	abused   *loadResult // the same mix at a set rate beside the abuser; nil when not run
	abuse    abuseResult // what the abuser got
	shutdown shutdownResult
}

// runs are the mixed loads of the report, the closed loop first.
func (r *report) runs() []*loadResult {
	out := []*loadResult{&r.main}
	if r.paced != nil {
		out = append(out, r.paced)
	}
	return out
}

// latencyRun is the run the p99 target is about: the paced one when there
// is one (a closed loop's latency is its queue: connections / throughput).
func (r *report) latencyRun() *loadResult {
	runs := r.runs()
	return runs[len(runs)-1]
}

// everything tallies every request of every run.
func (r *report) everything() *tally {
	t := newTally()
	for _, run := range r.runs() {
		t.merge(run.all())
	}
	return t
}

// p99Target is issue 7's latency target for the mixed load.
const p99Target = 100 * time.Millisecond

// memMB is the machine's memory in whole MB, rounded down ("24105 MB
// RAM"), as this section has always given it.
func memMB(m harness.Machine) string {
	if m.MemKB == 0 {
		return "unknown memory"
	}
	return fmt.Sprintf("%d MB RAM", m.MemKB>>10)
}

// faults are the targets about correctness that the run missed: error
// statuses, socket errors, an unclean shutdown. Latency is a measurement,
// reported against its target (as make bench does), not a fault.
func (r *report) faults() []string {
	s := r.everything().summary()
	var out []string
	if s.requests == 0 {
		out = append(out, "no request was answered")
	}
	if s.badStatus > 0 {
		out = append(out, fmt.Sprintf("%d error statuses", s.badStatus))
	}
	if s.sockErrs > 0 {
		out = append(out, fmt.Sprintf("%d socket errors", s.sockErrs))
	}
	if !r.shutdown.passed() {
		out = append(out, "the graceful shutdown under load failed")
	}
	return append(out, r.abuseFaults()...)
}

// verdict is the last line of the run.
func (r *report) verdict() string {
	run := r.latencyRun()
	s := run.all().summary()
	met := "met"
	if s.p99 > p99Target {
		met = "missed"
	}
	p99 := fmt.Sprintf("p99 %s %s (target %s: %s)", harness.MS(s.p99), run.name(), harness.MS(p99Target), met)
	if r.abused != nil {
		p99 += "; " + r.abuseVerdict()
	}
	if f := r.faults(); len(f) > 0 {
		return "FAILED: " + strings.Join(f, "; ") + "; " + p99
	}
	return "no error status, no socket error, graceful shutdown under load; " + p99
}

// markdown is the "Load test" section of BENCHMARKS.md.
func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.Machine
	p("## Load test\n")
	p("Written by `make loadtest` (scripts/loadtest.sh, scripts/loadtest); targets of issue 7.\n")
	p("Run %s on %d × %s, %s (load average %s before the run); %s; PostgreSQL %s, PostGIS %s; incidentmap %s.\n",
		r.Started.Format("2006-01-02 15:04 UTC"), m.CPUs, m.Model, memMB(m), m.Load, m.GoVersion, m.Postgres, m.PostGIS, m.Commit)
	p("Command: `%s`\n", r.cfg.Cmd)
	data := fmt.Sprintf("the seed plus %s synthetic incidents", harness.Thousands(int64(r.cfg.n)))
	if r.cfg.Load != "" {
		data += " (" + r.cfg.Load + ")"
	}
	p("Data: %s. The server was ready (tile index loaded) %s after it started.\n", data, r.Ready.Round(100*time.Millisecond))
	p("%s\n", r.workloadText())
	r.targetsTable(p)
	for _, run := range r.runs() {
		p("### %s\n", strings.ToUpper(run.name()[:1])+run.name()[1:])
		r.kindsTable(p, run)
	}
	r.abuseText(p)
	r.shutdownText(p)
	return b.String()
}

func (r *report) workloadText() string {
	c := r.cfg
	readers := c.conns
	var paced []string
	if c.writeRate > 0 {
		readers--
		paced = append(paced, fmt.Sprintf("one writes, %g time(s) a second, a test incident: POST, then PATCH and DELETE with If-Match", c.writeRate))
	}
	if strings.HasPrefix(r.png, "/map.png answers 200") {
		readers--
		paced = append(paced, fmt.Sprintf("one asks for /map.png, %d a second, among 12 views", pngRate))
	}
	text := fmt.Sprintf("Workload: %s with %d keep-alive connections over 127.0.0.1, from a Go client on the same machine "+
		"(it shares the CPUs with the server and PostgreSQL). %d connections run a closed loop, each waiting for its answer: "+
		"%d%% vector tiles (z3-14 around the synthetic data's towns; half from a fixed set of %d so that the tile cache serves them, "+
		"the rest with random windows of 1 day to 10 years, one in ten without a window), %d%% items pages (bbox of 0.05-1.5° "+
		"around a town and a window of 1 week to 3 years; a quarter at offset 100), %d%% full exports of a small window "+
		"(bbox of 0.02-0.15°, 1 week to 3 months; CSV and GeoJSONSeq alike)",
		c.duration, c.conns, readers, 100-itemsShare-exportsShare, hotTiles, itemsShare, exportsShare)
	if len(paced) > 0 {
		text += "; " + strings.Join(paced, "; ")
	}
	text += ". Every request says `Accept-Encoding: gzip`; latency runs from the request to the last byte of the answer. " + r.png + "."
	if r.paced != nil {
		text += fmt.Sprintf(" Then the same mix ran again for %s with its reads sent at %g a second, evenly spaced, over the "+
			"same connections: a read's latency then runs from when it was due, so that waiting for a busy connection "+
			"counts. The closed loop gives the capacity (its latency is mostly its queue: %d connections over the "+
			"throughput); the paced run gives the latency at that load, which the p99 target is about.",
			c.duration, r.paced.rate, readers)
	}
	return text
}

func (r *report) targetsTable(p func(string, ...any)) {
	s := r.everything().summary()
	lat := r.latencyRun()
	ls := lat.all().summary()
	f := r.shutdown.figures()
	p("| target | measured | met |")
	p("|---|---|---|")
	p("| no error status (4xx, 5xx) | %s | %s |", harness.Thousands(int64(s.badStatus)), harness.YesNo(s.badStatus == 0))
	p("| no socket error | %s | %s |", harness.Thousands(int64(s.sockErrs)), harness.YesNo(s.sockErrs == 0))
	p("| p99 of all requests ≤ %s, %s | %s | %s |", harness.MS(p99Target), lat.name(), harness.MS(ls.p99),
		harness.YesNo(ls.requests > 0 && ls.p99 <= p99Target))
	p("| SIGTERM under load: every request in flight answered, no 5xx, no broken connection | %d of %d in flight answered | %s |",
		f.inFlightOK, f.inFlight, harness.YesNo(r.shutdown.passed()))
	r.abuseTargets(p)
	p("")
}

func (r *report) kindsTable(p func(string, ...any), run *loadResult) {
	p("| kind | requests | req/s | error status | socket errors | p50 | p99 | max | mean body |")
	p("|---|---|---|---|---|---|---|---|---|")
	row := func(name string, t *tally) {
		s := t.summary()
		p("| %s | %s | %.0f | %d | %d | %s | %s | %s | %s |", name, harness.Thousands(int64(s.requests)), run.perSecond(s),
			s.badStatus, s.sockErrs, harness.MS(s.p50), harness.MS(s.p99), harness.MS(s.max), harness.Size(s.meanBytes))
	}
	for _, k := range kinds {
		if t := run.kinds[k]; t != nil {
			row(k, t)
		}
	}
	all := run.all()
	row("**all**", all)
	p("")
	p("Statuses: %s. Socket errors: %s.", counts(all.statuses), counts(all.sockErrs))
	if due := int(run.rate * run.elapsed.Seconds()); run.rate > 0 && run.reads() < due*99/100 {
		p("\nOnly %s of the %s reads due were sent: the rest were still waiting for a free connection when the run "+
			"ended, and their latency (at least the wait) is missing from the figures above.",
			harness.Thousands(int64(run.reads())), harness.Thousands(int64(due)))
	}
	if run.cpu != "" {
		p("\nCPU during this run, in percent of one core (the machine has %d): %s.", r.Machine.CPUs, run.cpu)
	}
	for _, k := range slices.Sorted(maps.Keys(all.example)) {
		p("\n- example of %s: `%s`", k, all.example[k])
	}
	p("")
}

func (r *report) shutdownText(p func(string, ...any)) {
	sr := r.shutdown
	f := sr.figures()
	p("### Graceful shutdown under load\n")
	switch {
	case sr.sigErr != nil || sr.sigAt.IsZero():
		p("SIGTERM could not be sent: %v.\n", sr.sigErr)
		return
	case !sr.exited:
		p("SIGTERM was sent %s into a %s burst of the same mix on %d fresh connections; the server had not exited 30 s later.\n",
			r.cfg.burst/2, r.cfg.burst, r.cfg.conns)
	default:
		p("SIGTERM was sent %s into a %s burst of the same mix on %d fresh connections. The server exited with status %d, %s after the signal.\n",
			r.cfg.burst/2, r.cfg.burst, r.cfg.conns, sr.exitCode(), harness.MS(sr.exitAfter))
	}
	p("- requests in the burst: %s", harness.Thousands(int64(f.requests)))
	p("- in flight at SIGTERM (written before it, not answered before it): %d; answered with a status below 500: %d, "+
		"the last %s after the signal", f.inFlight, f.inFlightOK, harness.MS(f.longest))
	p("- lost in flight, never answered: %d. The server closed their kept-alive connections as idle, without reading "+
		"the request already sent on them; %d of them (GETs) were retried by the client on a new connection, which was refused",
		f.lost, f.lostRetried)
	p("- 5xx in the burst: %d; other broken connections: %s", f.serverErrors, counts(f.broken))
	p("- after SIGTERM, as expected: %d new connections refused (the listener was closed), %d requests sent on a "+
		"kept-alive connection the server was closing, which died unanswered", f.refused, f.closedLate)
	for _, e := range f.examples {
		p("- example, %s", e)
	}
}
