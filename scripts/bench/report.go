package main

import (
	"fmt"
	"time"

	"incidentmap/scripts/harness"
)

// report is everything one run measured.
type report struct {
	harness.Run
	cfg          config
	readyWarning string
	rssReady     harness.Memory
	cold         []coldResult
	base         baseline
	warm         warmResult
	rss          harness.Memory
	saved        *savedStart // nil: no saved index
	cql          *cqlResult  // (f); nil: not run
	live         *liveResult // (h); nil: not run
	loadAvg      [2]string   // 1-minute load average at the start and at the end
}

// target is one figure of issue 3 with its limit.
type target struct {
	name, measured, limit string
	met                   bool
	note                  string
}

// targets are the figures of issue 3: the 1M ones up to 1M incidents, the
// 10M ones (cold p99 200 ms, RSS 4 GB) above.
func (r *report) targets() []target {
	big := r.cfg.n > 1_000_000
	coldLimit, rssLimit := 50*time.Millisecond, int64(1<<30)
	if big {
		coldLimit, rssLimit = 200*time.Millisecond, 4<<30
	}
	var ts []target
	for i, b := range bands {
		s := summarise(r.cold, func(c coldResult) bool { return bandOf(c.z) == i })
		ts = append(ts, target{name: "cold p99, " + b.name, measured: harness.MS(s.p99), limit: "≤ " + harness.MS(coldLimit),
			met: s.tiles > 0 && s.errors == 0 && s.p99 <= coldLimit, note: errNote(s)})
	}
	every := summarise(r.cold, func(coldResult) bool { return true })
	ts = append(ts, target{name: "cold p99, all zooms", measured: harness.MS(every.p99), limit: "≤ " + harness.MS(coldLimit),
		met: every.tiles > 0 && every.errors == 0 && every.p99 <= coldLimit, note: errNote(every)})
	all := summarise(r.cold, func(c coldResult) bool { return c.allYears })
	ts = append(ts,
		target{name: "worst all-years tile z3-7, latency", measured: harness.MS(all.max), limit: "≤ " + harness.MS(coldLimit),
			met: all.tiles > 0 && all.errors == 0 && all.max <= coldLimit, note: "tile " + all.slowest.String()},
		target{name: "worst all-years tile z3-7, size", measured: harness.Size(int64(all.largest.raw)), limit: "≤ 500 KB",
			met: all.tiles > 0 && all.largest.raw <= 500<<10, note: "uncompressed, tile " + all.largest.String()})
	ts = append(ts, target{name: "largest tile of all", measured: harness.Size(int64(every.largest.raw)), limit: "≤ 500 KB",
		met: every.largest.raw <= 500<<10, note: fmt.Sprintf("uncompressed, tile %s %s; %d over 500 KB",
			every.largest, every.largest.window(), len(every.over500KB))})
	sp := compare(r.base.results, func(b baseResult) bool { return b.z <= 7 })
	ts = append(ts, target{name: "speed-up over plain ST_AsMVT, z3-7 (p50)", measured: ratio(sp), limit: "≥ 20×",
		met: sp.tiles > 0 && sp.ratio() >= 20, note: fmt.Sprintf("%d tiles, ours %s vs %s", sp.tiles, harness.MS(sp.ours), harness.MS(sp.baseline))})
	spAll := compare(r.base.results, func(b baseResult) bool { return b.allYears })
	ts = append(ts, target{name: "speed-up, z3-7 all-years tiles only (p50)", measured: ratio(spAll), limit: "(information)",
		met: spAll.tiles > 0 && spAll.ratio() >= 20, note: fmt.Sprintf("%d tiles, ours %s vs %s", spAll.tiles, harness.MS(spAll.ours), harness.MS(spAll.baseline))})
	ts = append(ts, r.warmTargets()...)
	ts = append(ts, r.readyTargets()...)
	ts = append(ts, r.cqlTargets()...)
	if r.live != nil {
		ts = append(ts, r.live.targets()...)
	}
	ts = append(ts, target{name: "server RSS (peak, VmHWM)", measured: harness.Size(r.rss.HWM), limit: "≤ " + harness.Size(rssLimit),
		met: r.rss.HWM > 0 && r.rss.HWM <= rssLimit, note: "now " + harness.Size(r.rss.RSS)})
	return ts
}

// warmLimits are the least warm/bare throughput ratios of issue 12, by
// encoding.
var warmLimits = map[bool]float64{true: 0.8, false: 0.5}

// warmTargets are the rows of the warm figures: warm throughput over the
// bare handler's, per encoding.
func (r *report) warmTargets() []target {
	var ts []target
	for _, gzipped := range encodings {
		w := r.warm
		ratio, limit := w.ratio(gzipped), warmLimits[gzipped]
		note := fmt.Sprintf("median ratio of %d rounds; median %.0f vs %.0f req/s (wrk)", r.cfg.rounds,
			medianRate(w.of(targetWarm, gzipped)), medianRate(w.of(targetBare, gzipped)))
		if n := w.failed(); n > 0 {
			note += fmt.Sprintf("; %d failed requests", n)
		}
		if w.clientErr != "" {
			note += "; client check failed: " + w.clientErr
		}
		ts = append(ts, target{name: warmRowName + ", " + encodingName(gzipped), measured: fmt.Sprintf("%.2f", ratio),
			limit: fmt.Sprintf("≥ %.1f", limit), met: ratio >= limit && w.failed() == 0 && w.clientErr == "", note: note})
	}
	return ts
}

// warmRowName starts the names of the warm rows of the targets table.
const warmRowName = "warm throughput / bare net/http"

func errNote(s coldStats) string {
	if s.errors > 0 {
		return fmt.Sprintf("%d tiles, %d errors", s.tiles, s.errors)
	}
	return fmt.Sprintf("%d tiles", s.tiles)
}

func ratio(s speedup) string {
	if s.tiles == 0 {
		return "not measured"
	}
	if s.atLeast {
		return fmt.Sprintf("≥ %.0f×", s.ratio())
	}
	return fmt.Sprintf("%.0f×", s.ratio())
}

// readyTargets are the figures of issue 12 on the time to ready: at most
// 3 s at 1M incidents, 15 s at 10M (scaled between), from the saved index.
func (r *report) readyTargets() []target {
	limit := 3 * time.Second
	if r.cfg.n > 1_000_000 {
		limit = 15 * time.Second
	}
	ts := []target{{name: "ready, index loaded from PostGIS", measured: r.Ready.Round(100 * time.Millisecond).String(),
		limit: "(information)", met: true, note: "peak RSS then " + harness.Size(r.rssReady.HWM)}}
	if s := r.saved; s != nil {
		ts = append(ts, target{name: "ready, index read from its saved file", measured: s.ready.Round(10 * time.Millisecond).String(),
			limit: "≤ " + limit.String(), met: s.ready <= limit,
			note: fmt.Sprintf("peak RSS then %s; file %s", harness.Size(s.memory.HWM), harness.Size(s.fileSize))})
	}
	return ts
}
