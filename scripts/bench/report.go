package main

import (
	"fmt"
	"time"

	"incidentmap/scripts/harness"
)

// report is everything one run measured.
type report struct {
	cfg          config
	started      time.Time
	machine      harness.Machine
	ready        time.Duration
	readyWarning string
	rssReady     harness.Memory
	cold         []coldResult
	base         baseline
	warm, bare   loadResult
	rss          harness.Memory
	saved        *savedStart // nil: no saved index
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
	wr := r.warm.perSecond() / r.bare.perSecond()
	ts = append(ts, target{name: "warm throughput / bare net/http", measured: fmt.Sprintf("%.0f%%", 100*wr), limit: "≥ 70%",
		met: wr >= 0.7 && r.warm.errors == 0, note: fmt.Sprintf("%.0f vs %.0f req/s", r.warm.perSecond(), r.bare.perSecond())})
	ts = append(ts, r.readyTargets()...)
	ts = append(ts, target{name: "server RSS (peak, VmHWM)", measured: harness.Size(r.rss.HWM), limit: "≤ " + harness.Size(rssLimit),
		met: r.rss.HWM > 0 && r.rss.HWM <= rssLimit, note: "now " + harness.Size(r.rss.RSS)})
	return ts
}

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
	ts := []target{{name: "ready, index loaded from PostGIS", measured: r.ready.Round(100 * time.Millisecond).String(),
		limit: "(information)", met: true, note: "peak RSS then " + harness.Size(r.rssReady.HWM)}}
	if s := r.saved; s != nil {
		ts = append(ts, target{name: "ready, index read from its saved file", measured: s.ready.Round(10 * time.Millisecond).String(),
			limit: "≤ " + limit.String(), met: s.ready <= limit,
			note: fmt.Sprintf("peak RSS then %s; file %s", harness.Size(s.memory.HWM), harness.Size(s.fileSize))})
	}
	return ts
}
