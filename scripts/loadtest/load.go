package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// outcome is what one request got.
type outcome struct {
	kind, path string
	start, end time.Time
	wrote      time.Time // when the client had written the request (first attempt); zero: never
	status     int       // 0 when no answer came
	etag       string
	bytes      int64
	err        error // a socket (or body) error
	attempts   int   // connections tried: 2 means the transport retried on a new one
	reused     bool  // the first attempt went over a kept-alive connection
}

func (o outcome) latency() time.Duration { return o.end.Sub(o.start) }

// client sends the workload's requests over a pool of at most conns
// keep-alive connections.
type client struct {
	base string
	http *http.Client
}

func newClient(base string, conns int) *client {
	tr := &http.Transport{
		MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns, MaxIdleConns: conns,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true, // we ask for gzip ourselves
	}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (cl *client) close() { cl.http.CloseIdleConnections() }

// do sends req and reads the whole answer.
func (cl *client) do(ctx context.Context, req request) outcome {
	o := outcome{kind: req.kind, path: req.path, start: time.Now()}
	if !req.due.IsZero() {
		o.start = req.due // waiting for a free connection counts
	}
	var mu sync.Mutex // the trace hooks run on the transport's goroutines
	trace := &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			mu.Lock()
			defer mu.Unlock()
			if o.attempts++; o.attempts == 1 {
				o.reused = i.Reused
			}
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			if i.Err == nil && o.wrote.IsZero() {
				o.wrote = time.Now()
			}
		},
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), req.method, cl.base+req.path, body)
	if err != nil {
		o.err, o.end = err, time.Now()
		return o
	}
	for k, v := range req.header {
		hreq.Header[k] = v
	}
	hreq.Header.Set("Accept-Encoding", "gzip")
	res, err := cl.http.Do(hreq)
	if err == nil {
		o.status, o.etag = res.StatusCode, res.Header.Get("ETag")
		o.bytes, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	o.err, o.end = err, time.Now()
	return o
}

// drive runs the workload on cl until the time until: one worker for the
// write sequences and one for /map.png when those are on, each at its own
// pace, and the other connections' workers for the reads. With rate 0 the
// readers run a closed loop (each waits for its answer, then asks again:
// the server's capacity); else they send rate reads a second between them
// (the latency at that load). record gets every outcome, from many
// goroutines; a worker stops early when record returns false.
func drive(ctx context.Context, c config, w *workload, cl *client, until time.Time, rate float64, record func(worker int, o outcome) bool) {
	var wg sync.WaitGroup
	next := c.conns // workers are numbered 0..c.conns-1: the paced ones last
	if c.writeRate > 0 {
		next--
		id := next
		wg.Go(func() { writer(ctx, c, w, cl, until, func(o outcome) bool { return record(id, o) }) })
	}
	if w.mapServed {
		next--
		id := next
		r := rand.New(rand.NewPCG(c.seed, uint64(id)))
		wg.Go(func() {
			paced(ctx, until, time.Second/pngRate, func() bool { return record(id, cl.do(ctx, asClient(w.mapImage(r), id))) })
		})
	}
	var due <-chan time.Time
	if rate > 0 {
		due = schedule(ctx, rate, until)
	}
	for i := range next {
		r := rand.New(rand.NewPCG(c.seed, uint64(i)))
		wg.Go(func() {
			for time.Now().Before(until) && ctx.Err() == nil {
				req := asClient(w.read(r), i)
				if due != nil {
					var ok bool
					if req.due, ok = <-due; !ok {
						return
					}
				}
				if !record(i, cl.do(ctx, req)) {
					return
				}
			}
		})
	}
	wg.Wait()
}

// asClient marks req as sent by the worker's own client: a proxy on
// loopback (a trusted one) forwards it for a documentation address of
// 198.51.100.0/24 (TEST-NET-2), one per worker (shared past 254 workers),
// so that each normal client has its own rate limits, none exempt, and the
// abuser (abuserAddr) exhausts only its own.
func asClient(req request, worker int) request {
	h := req.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", worker%254+1))
	req.header = h
	return req
}

// schedule hands out the times at which reads are due, rate a second
// evenly spaced, until the time until. A worker takes the next one when
// its connection is free: when all are busy, reads wait, and their
// latency, which runs from when they were due, shows it (no coordinated
// omission).
func schedule(ctx context.Context, rate float64, until time.Time) <-chan time.Time {
	interval := time.Duration(float64(time.Second) / rate)
	out := make(chan time.Time, int(rate*time.Until(until).Seconds())+1)
	go func() {
		defer close(out)
		for t := time.Now(); t.Before(until) && ctx.Err() == nil; t = t.Add(interval) {
			time.Sleep(time.Until(t))
			out <- t
		}
	}()
	return out
}

// writer runs a write sequence c.writeRate times a second.
func writer(ctx context.Context, c config, w *workload, cl *client, until time.Time, record func(outcome) bool) {
	r := rand.New(rand.NewPCG(c.seed, 0x3717e))
	paced(ctx, until, time.Duration(float64(time.Second)/c.writeRate), func() bool {
		seq := w.newWriteSequence()
		var last outcome
		for {
			req, ok := seq.next(r, last.status, last.etag)
			if !ok {
				return true
			}
			if last = cl.do(ctx, req); !record(last) {
				return false
			}
		}
	})
}

// paced calls fn every interval until the time until (a tick that comes
// while fn still runs is skipped), or until fn returns false.
func paced(ctx context.Context, until time.Time, interval time.Duration, fn func() bool) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for time.Now().Before(until) {
		if !fn() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
