package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// loadResult is the mixed load: a tally per kind.
type loadResult struct {
	rate    float64 // reads a second offered; 0: a closed loop
	elapsed time.Duration
	kinds   map[string]*tally
	cpu     string // where the CPU went
}

// runLoad runs the mixed workload for d, its reads in a closed loop (rate
// 0) or at rate a second (see drive), and tallies every answer. Each worker
// tallies on its own; the tallies are merged at the end.
func runLoad(ctx context.Context, c config, w *workload, d time.Duration, rate float64) loadResult {
	cl := newClient(w.base, c.conns)
	defer cl.close()
	perWorker := make([]map[string]*tally, c.conns)
	for i := range perWorker {
		perWorker[i] = map[string]*tally{}
	}
	var done atomic.Int64
	start := time.Now()
	stopProgress := progress(start, d, &done)
	drive(ctx, c, w, cl, start.Add(d), rate, func(worker int, o outcome) bool {
		t := perWorker[worker][o.kind]
		if t == nil {
			t = newTally()
			perWorker[worker][o.kind] = t
		}
		t.add(o)
		done.Add(1)
		return true
	})
	stopProgress()
	res := loadResult{rate: rate, elapsed: time.Since(start), kinds: map[string]*tally{}}
	for _, m := range perWorker {
		for k, t := range m {
			if res.kinds[k] == nil {
				res.kinds[k] = newTally()
			}
			res.kinds[k].merge(t)
		}
	}
	return res
}

// name says how the reads were sent.
func (l loadResult) name() string {
	if l.rate == 0 {
		return "in a closed loop"
	}
	return fmt.Sprintf("at %g reads a second", l.rate)
}

// all is the tally of every request.
func (l loadResult) all() *tally {
	t := newTally()
	for _, k := range l.kinds {
		t.merge(k)
	}
	return t
}

// reads counts the requests of the read mix (the kinds a paced run paces).
func (l loadResult) reads() int {
	n := 0
	for _, k := range []string{kindTile, kindItems, kindCSV, kindGeoJSONSeq} {
		if t := l.kinds[k]; t != nil {
			n += t.summary().requests
		}
	}
	return n
}

func (l loadResult) perSecond(s summary) float64 { return float64(s.requests) / l.elapsed.Seconds() }

// progress logs the request count every 10 s until stopped.
func progress(start time.Time, d time.Duration, done *atomic.Int64) (stop func()) {
	quit := make(chan struct{})
	go func() {
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				n := done.Load()
				logf("  %s of %s: %d requests (%.0f/s)", time.Since(start).Round(time.Second), d, n,
					float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(quit) }
}
