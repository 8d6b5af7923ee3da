package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"incidentmap/scripts/harness"
)

// tally is what the requests of one kind got.
type tally struct {
	lat      []time.Duration // of the answered requests
	statuses map[int]int
	sockErrs map[string]int // by class (errClass)
	bytes    int64
	example  map[string]string // one example path per bad status or socket error class
}

func newTally() *tally {
	return &tally{statuses: map[int]int{}, sockErrs: map[string]int{}, example: map[string]string{}}
}

func (t *tally) add(o outcome) {
	if o.err != nil {
		c := errClass(o.err)
		t.sockErrs[c]++
		if _, ok := t.example[c]; !ok {
			t.example[c] = o.path + ": " + o.err.Error()
		}
		return
	}
	t.lat = append(t.lat, o.latency())
	t.statuses[o.status]++
	t.bytes += o.bytes
	if bad(o.status) {
		k := strconv.Itoa(o.status)
		if _, ok := t.example[k]; !ok {
			t.example[k] = o.path
		}
	}
}

func (t *tally) merge(o *tally) {
	t.lat = append(t.lat, o.lat...)
	t.bytes += o.bytes
	for k, v := range o.statuses {
		t.statuses[k] += v
	}
	for k, v := range o.sockErrs {
		t.sockErrs[k] += v
	}
	for k, v := range o.example {
		if _, ok := t.example[k]; !ok {
			t.example[k] = v
		}
	}
}

// bad is an error status: neither 2xx nor 3xx.
func bad(status int) bool { return status < 200 || status >= 400 }

// summary is a tally reduced to the figures of the report.
type summary struct {
	requests, badStatus, sockErrs int
	p50, p99, max                 time.Duration
	meanBytes                     int64
}

func (t *tally) summary() summary {
	s := summary{}
	for st, n := range t.statuses {
		s.requests += n
		if bad(st) {
			s.badStatus += n
		}
	}
	for _, n := range t.sockErrs {
		s.sockErrs += n
	}
	s.requests += s.sockErrs
	slices.Sort(t.lat)
	s.p50, s.p99, s.max = harness.Percentile(t.lat, 50), harness.Percentile(t.lat, 99), harness.Percentile(t.lat, 100)
	if len(t.lat) > 0 {
		s.meanBytes = t.bytes / int64(len(t.lat))
	}
	return s
}

// errClass names a socket error for the report.
func errClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed (EOF)"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "other"
}

// counts formats a map as "k: v, k: v" in key order.
func counts[K int | string](m map[K]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%v: %s", k, harness.Thousands(int64(m[k]))))
	}
	return strings.Join(parts, ", ")
}
