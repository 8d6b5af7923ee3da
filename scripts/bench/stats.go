package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// percentile returns the p-th percentile (nearest rank) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(len(sorted)-1, max(0, i))]
}

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
	s.p50, s.p99, s.max = percentile(lat, 50), percentile(lat, 99), percentile(lat, 100)
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
	s.tiles, s.ours, s.baseline = len(ours), percentile(ours, 50), percentile(base, 50)
	return s
}

// ms formats a duration in milliseconds, with sensible precision.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f ms", f)
	case f >= 10:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.2f ms", f)
}

// size formats a byte count.
func size(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// thousands formats n with commas: 1000000 -> 1,000,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
