// Command loadtest runs a bounded mixed workload against incidentmap on
// 127.0.0.1 and reports throughput, latency and errors. scripts/loadtest.sh
// prepares the database and the editor token; make loadtest runs both.
//
//	LOAD_TOKEN=<editor token> go run ./scripts/loadtest -db URL -n N [-duration 60s] [-conns 64]
//
// It starts `bin/incidentmap serve` on a free loopback port and waits until
// /readyz reports the tile index ready. Then, for -duration, with -conns
// keep-alive connections, each waiting for its answer before the next
// request (a closed loop: the server's capacity), it asks for vector tiles (z3-14 around Sahel towns, random
// windows, a share of repeated ones so that the tile cache serves them),
// items pages (bbox and datetime), full CSV and GeoJSONSeq exports of a
// small window, /map.png when the server has it, and writes (POST, PATCH
// and DELETE of a test incident, -write-rate times a second, on one of the
// connections). With -rate it runs the same mix again for -duration, its
// reads sent at that rate (latency then runs from when a read was due, so
// that waiting for a busy connection counts): the latency at that load,
// which the p99 target is about. It prints p50/p99 per kind and overall,
// every status and socket error, and where the CPU went, and writes a
// "Load test" section into -out (BENCHMARKS.md).
// Last, it sends SIGTERM to the server during a short burst of the same
// load and checks that every request in flight was answered: the graceful
// shutdown. It exits 1 when a request got an error status or a socket
// error, or the shutdown lost a request; latency is reported against its
// target but does not fail the run (as with make bench).
//
// Everything stops by itself: the load after -duration, the burst after
// -burst, the server at the end (SIGTERM, then SIGKILL after 30 s).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"incidentmap/scripts/harness"
)

// config is every knob of a run.
type config struct {
	harness.Options           // -db, -bin, -out, -ready-timeout
	harness.Provenance        // -cmd, -load
	token              string // editor token for the writes (LOAD_TOKEN)
	n                  int    // synthetic incidents in the database, for the report
	conns              int
	duration, burst    time.Duration
	writeRate          float64 // write sequences (POST, PATCH, DELETE) per second
	rate               float64 // reads per second of the second, paced run; 0: none
	abuseRate          float64 // reads per second of the third run, beside the abuser; 0: none
	seed               uint64
}

// prog names this command in its diagnostics.
const prog harness.Program = "loadtest"

var logf = prog.Logf

func main() {
	var c config
	c.Options.Register(flag.CommandLine)
	c.Provenance.Register(flag.CommandLine)
	flag.IntVar(&c.n, "n", 0, "how many synthetic incidents the database holds (for the report)")
	flag.IntVar(&c.conns, "conns", 64, "keep-alive connections")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long the mixed load runs")
	flag.DurationVar(&c.burst, "burst", 4*time.Second, "the burst during which SIGTERM is sent (at its middle)")
	flag.Float64Var(&c.writeRate, "write-rate", 1, "write sequences (POST, PATCH, DELETE) per second; 0: no writes")
	flag.Float64Var(&c.rate, "rate", 0, "after the closed loop, run the mix again at this many reads a second; 0: do not")
	flag.Float64Var(&c.abuseRate, "abuse-rate", 0, "then run the mix at this many reads a second beside an abusive client; 0: do not")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the request mix")
	flag.Parse()
	c.token = os.Getenv("LOAD_TOKEN")
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		fmt.Fprintln(os.Stderr, "usage: LOAD_TOKEN=<editor token> loadtest -db URL -n N [-duration 60s] [-conns 64] [-out BENCHMARKS.md]")
		os.Exit(2)
	}
	c.Cmd = prog.Command(c.Cmd)
	prog.Run(func(ctx context.Context) error { return run(ctx, c) })
}

// measure runs the mixed load (see runLoad) and notes where the CPU went.
func measure(ctx context.Context, c config, w *workload, serverPid int, rate float64) loadResult {
	db := dbName(c.DB)
	before := sampleCPU(serverPid, db)
	res := runLoad(ctx, c, w, c.duration, rate)
	res.cpu = cpuUse(before, sampleCPU(serverPid, db), db)
	return res
}

func (c config) check() error {
	switch {
	case c.DB == "":
		return errors.New("-db is required")
	case c.conns < 2 || c.conns > 4096:
		return fmt.Errorf("-conns must be 2..4096 (one connection writes), got %d", c.conns)
	case c.duration < time.Second || c.duration > time.Hour:
		return fmt.Errorf("-duration must be 1s..1h, got %s", c.duration)
	case c.burst < 2*time.Second || c.burst > time.Minute:
		return fmt.Errorf("-burst must be 2s..1m, got %s", c.burst)
	case c.rate < 0 || c.rate > 100000:
		return fmt.Errorf("-rate must be 0..100000 a second, got %g", c.rate)
	case c.abuseRate < 0 || c.abuseRate > 100000:
		return fmt.Errorf("-abuse-rate must be 0..100000 a second, got %g", c.abuseRate)
	case c.writeRate < 0 || c.writeRate > 100:
		return fmt.Errorf("-write-rate must be 0..100 a second, got %g", c.writeRate)
	case c.writeRate > 0 && c.token == "":
		return errors.New("LOAD_TOKEN (an editor token) is required for the writes; or -write-rate 0")
	}
	return nil
}

// run starts the server, loads it, reports, then proves the graceful
// shutdown.
func run(ctx context.Context, c config) error {
	r := &report{cfg: c, Run: harness.Run{Started: time.Now().UTC(), Machine: harness.DescribeMachine(ctx, c.DB)}}
	// Loopback is the proxy in front of every client here (X-Forwarded-For
	// names the client): trusted, as it is by default, said for clarity.
	if err := os.Setenv("INCIDENTMAP_TRUSTED_PROXIES", "127.0.0.1/32"); err != nil {
		return err
	}
	srv, err := harness.StartServer(ctx, harness.ServerConfig{
		Prog: prog, Bin: c.Bin, DB: c.DB, ReadyTimeout: c.ReadyTimeout})
	if err != nil {
		return err
	}
	defer srv.Stop()
	r.Ready = srv.ReadyAfter
	w := newWorkload(c, srv.Base)
	r.png = w.probeMap(ctx)
	logf("%s", r.png)
	logf("mixed load: %d connections for %s, %g write sequences a second", c.conns, c.duration, c.writeRate)
	r.main = measure(ctx, c, w, srv.Pid(), 0)
	if c.rate > 0 && ctx.Err() == nil {
		logf("the same mix at %g reads a second: %s", c.rate, c.duration)
		paced := measure(ctx, c, w, srv.Pid(), c.rate)
		r.paced = &paced
	}
	if c.abuseRate > 0 && ctx.Err() == nil {
		logf("the same mix at %g reads a second beside an abusive client from %s: %s", c.abuseRate, abuserAddr, c.duration)
		abused, abuse := measureBesideAbuser(ctx, c, w, srv.Pid())
		r.abused, r.abuse = &abused, abuse
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	logf("graceful shutdown: SIGTERM %s into a %s burst", c.burst/2, c.burst)
	r.shutdown = runShutdown(ctx, c, w, srv)
	text := r.markdown()
	fmt.Println(text)
	if c.Out != "" {
		if err := updateReport(c.Out, text); err != nil {
			return err
		}
		logf("wrote the Load test section of %s", c.Out)
	}
	logf("%s", r.verdict())
	if len(r.faults()) > 0 {
		return errors.New("the service misbehaved under load (see the report above)")
	}
	return nil
}
