package main

import (
	"slices"
	"time"

	"incidentmap/scripts/harness"
)

// coldStats summarises the cold tiles of one band (or all of them).
type coldStats struct {
	tiles, errors int
	p50, p99, max time.Duration
	largest       coldResult // by uncompressed size
	slowest       coldResult
	over500KB     []coldResult
}

func summarise(results []coldResult, keep func(coldResult) bool) coldStats {
	var s coldStats
	var lat []time.Duration
	for _, r := range results {
		if !keep(r) {
			continue
		}
		if !r.ok() {
			s.errors++
			continue
		}
		s.tiles++
		lat = append(lat, r.latency)
		if r.raw > s.largest.raw {
			s.largest = r
		}
		if r.latency > s.slowest.latency {
			s.slowest = r
		}
		if r.raw > 500<<10 {
			s.over500KB = append(s.over500KB, r)
		}
	}
	slices.Sort(lat)
	s.p50, s.p99, s.max = harness.Percentile(lat, 50), harness.Percentile(lat, 99), harness.Percentile(lat, 100)
	return s
}

// speedup compares our cold p50 with the baseline's p50 over the same
// tiles. atLeast is set when a baseline query timed out: its latency is a
// lower bound.
type speedup struct {
	tiles          int
	ours, baseline time.Duration
	atLeast        bool
}

func (s speedup) ratio() float64 {
	if s.ours <= 0 {
		return 0
	}
	return float64(s.baseline) / float64(s.ours)
}

func compare(rs []baseResult, keep func(baseResult) bool) speedup {
	var ours, base []time.Duration
	var s speedup
	for _, r := range rs {
		if !keep(r) || (r.err != "" && !r.timedOut) {
			continue
		}
		ours, base = append(ours, r.ours), append(base, r.latency)
		s.atLeast = s.atLeast || r.timedOut
	}
	slices.Sort(ours)
	slices.Sort(base)
	s.tiles, s.ours, s.baseline = len(ours), harness.Percentile(ours, 50), harness.Percentile(base, 50)
	return s
}
