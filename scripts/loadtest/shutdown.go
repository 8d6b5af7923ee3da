package main

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"sync"
	"time"

	"incidentmap/scripts/harness"
)

// shutdownResult is the burst during which the server got SIGTERM.
type shutdownResult struct {
	sigAt     time.Time
	sigErr    error
	outcomes  []outcome
	exited    bool
	exitErr   error
	exitAfter time.Duration // from SIGTERM to the process's exit
}

// runShutdown runs the mixed workload for c.burst with fresh connections
// and sends SIGTERM to the server halfway through. A worker stops when its
// connection is refused (the server no longer listens). Then it waits up to
// 30 s for the server to exit.
func runShutdown(ctx context.Context, c config, w *workload, srv *harness.Server) shutdownResult {
	cl := newClient(w.base, c.conns)
	defer cl.close()
	var (
		mu  sync.Mutex
		res shutdownResult
	)
	start := time.Now()
	signalled := make(chan struct{})
	go func() {
		defer close(signalled)
		select {
		case <-ctx.Done():
			return
		case <-time.After(c.burst / 2):
		}
		at, err := srv.Terminate()
		mu.Lock()
		res.sigAt, res.sigErr = at, err
		mu.Unlock()
		logf("SIGTERM sent to pid %d", srv.Pid())
	}()
	drive(ctx, c, w, cl, start.Add(c.burst), 0, func(_ int, o outcome) bool {
		mu.Lock()
		defer mu.Unlock()
		res.outcomes = append(res.outcomes, o)
		return errClass(o.err) != "connection refused" || o.err == nil
	})
	<-signalled
	if res.exited = srv.Wait(30 * time.Second); res.exited {
		res.exitErr, res.exitAfter = srv.ExitErr, srv.ExitedAt.Sub(res.sigAt)
	}
	return res
}

// shutdownFigures classify the burst's requests around the signal.
type shutdownFigures struct {
	requests     int
	inFlight     int           // written before SIGTERM, not answered before it
	inFlightOK   int           // of those, answered with a status below 500
	lost         int           // of those, never answered: the server closed their kept-alive connection as idle
	lostRetried  int           // of the lost, retried by the client on a new connection, which was refused
	longest      time.Duration // the last in-flight answer came this long after SIGTERM
	serverErrors int           // 5xx in the whole burst
	refused      int           // new connections refused after SIGTERM: expected, never reached a handler
	closedLate   int           // sent after SIGTERM on a kept-alive connection being closed: no answer
	broken       map[string]int
	examples     []string // one per kind of trouble
}

// figures classifies every request of the burst. A request written before
// SIGTERM is in flight: it must be answered. One that gets no answer at all
// on a kept-alive connection was lost by the server closing that connection
// as idle before reading it (the server exits 0 only when it answered every
// request it read); Go's client retries a GET on a new connection, which is
// refused by then. After SIGTERM, refused connections are expected, and so
// is a request sent on a connection the server is closing. Any other
// socket error, a truncated answer or a 5xx is a failure.
func (r shutdownResult) figures() shutdownFigures {
	f := shutdownFigures{requests: len(r.outcomes), broken: map[string]int{}}
	example := func(what string, o outcome) {
		f.examples = append(f.examples, what+": "+o.kind+" "+o.path+": "+describe(o))
	}
	for _, o := range r.outcomes {
		class := errClass(o.err)
		unanswered := o.err != nil && o.status == 0
		inFlight := !o.wrote.IsZero() && o.wrote.Before(r.sigAt) && o.end.After(r.sigAt)
		if o.status >= 500 {
			f.serverErrors++
			if f.serverErrors == 1 {
				example("5xx", o)
			}
		}
		switch {
		case inFlight:
			f.inFlight++
			f.longest = max(f.longest, o.end.Sub(r.sigAt))
			switch {
			case o.err == nil && o.status < http.StatusInternalServerError:
				f.inFlightOK++
			case unanswered && o.reused:
				if f.lost++; f.lost == 1 {
					example("lost in flight", o)
				}
				if class == "connection refused" {
					f.lostRetried++
				}
			case o.err != nil:
				f.broken[class]++
				example("broken in flight", o)
			}
		case o.err == nil:
		case class == "connection refused" && o.end.After(r.sigAt):
			f.refused++
		case unanswered && o.reused && o.end.After(r.sigAt):
			if f.closedLate++; f.closedLate == 1 {
				example("sent after SIGTERM to a closing connection", o)
			}
		default:
			if f.broken[class]++; f.broken[class] == 1 {
				example("broken", o)
			}
		}
	}
	return f
}

func describe(o outcome) string {
	if o.err != nil {
		return o.err.Error()
	}
	return http.StatusText(o.status)
}

// exitCode is the server's exit status: 0, a code, or -1 (killed, unknown).
func (r shutdownResult) exitCode() int {
	if r.exitErr == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(r.exitErr, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// passed: SIGTERM was sent, the server exited 0 within 30 s, something was
// in flight and all of it was answered below 500, no 5xx at all, and no
// connection broke (refusals and late sends after the signal aside).
func (r shutdownResult) passed() bool {
	f := r.figures()
	return r.sigErr == nil && !r.sigAt.IsZero() && r.exited && r.exitCode() == 0 &&
		f.inFlight > 0 && f.inFlightOK == f.inFlight && f.serverErrors == 0 && len(f.broken) == 0
}
