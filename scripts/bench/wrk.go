package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// The two targets of the warm load.
const (
	targetWarm = "warm" // the server, tiles in its cache
	targetBare = "bare" // a bare net/http handler serving the same bodies
)

// wrkConfig is one wrk run.
type wrkConfig struct {
	base     string // http://HOST:PORT
	pid      int    // the process serving base, whose CPU time is measured
	script   string // the Lua script cycling through the paths
	gzip     bool   // send Accept-Encoding: gzip
	conns    int
	threads  int
	duration time.Duration
}

// wrkRun is what one wrk run measured.
type wrkRun struct {
	target    string
	round     int
	gzip      bool
	requests  int64
	elapsed   time.Duration
	bytes     int64
	errors    int64 // connect, read and write errors, and timeouts
	non2xx    int64 // answers other than 2xx and 3xx
	p50, p99  time.Duration
	clientCPU time.Duration // wrk's user and system time
	serverCPU time.Duration // the served process's, during the run
}

func (r wrkRun) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// serverMicros is the CPU time the served process spent per request, in
// microseconds: less sensitive than req/s to other work on the machine.
func (r wrkRun) serverMicros() float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.serverCPU.Microseconds()) / float64(r.requests)
}

// clientCores is how many cores wrk kept busy on average.
func (r wrkRun) clientCores() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return r.clientCPU.Seconds() / r.elapsed.Seconds()
}

// wrkScript is a wrk Lua script that requests paths in turn (each thread
// from the start of the list) and prints the run's figures as one JSON
// line, prefixed by wrkResultPrefix.
func wrkScript(paths []string) string {
	var b strings.Builder
	b.WriteString("local paths = {\n")
	for _, p := range paths {
		b.WriteString("  " + strconv.Quote(p) + ",\n")
	}
	b.WriteString(`}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('` + wrkResultPrefix + `{"requests":%d,"duration_us":%d,"bytes":%d,` +
		`"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`)
	return b.String()
}

// wrkResultPrefix starts the line of figures the script prints.
const wrkResultPrefix = "WRK_RESULT "

// wrkFigures is that line.
type wrkFigures struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	Bytes      int64 `json:"bytes"`
	Errors     int64 `json:"errors"`
	Non2xx     int64 `json:"non2xx"`
	P50US      int64 `json:"p50_us"`
	P99US      int64 `json:"p99_us"`
}

// runWrk runs wrk once and measures the CPU time it and the served process
// used.
func runWrk(ctx context.Context, c wrkConfig) (wrkRun, error) {
	r := wrkRun{gzip: c.gzip}
	args := []string{"-t", strconv.Itoa(c.threads), "-c", strconv.Itoa(c.conns),
		"-d", strconv.Itoa(int(c.duration.Seconds())) + "s", "--timeout", "10s", "-s", c.script}
	if c.gzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	cmd := exec.CommandContext(ctx, "wrk", append(args, c.base)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	before, err := processCPU(c.pid)
	if err != nil {
		return r, err
	}
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("wrk %s: %w: %s", strings.Join(args, " "), err, out.String())
	}
	after, err := processCPU(c.pid)
	if err != nil {
		return r, err
	}
	r.serverCPU = after - before
	r.clientCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	f, err := parseWrk(out.String())
	if err != nil {
		return r, fmt.Errorf("wrk %s: %w", c.base, err)
	}
	r.requests, r.bytes, r.errors, r.non2xx = f.Requests, f.Bytes, f.Errors, f.Non2xx
	r.elapsed = time.Duration(f.DurationUS) * time.Microsecond
	r.p50, r.p99 = time.Duration(f.P50US)*time.Microsecond, time.Duration(f.P99US)*time.Microsecond
	return r, nil
}

// parseWrk finds the script's line of figures in wrk's output.
func parseWrk(out string) (wrkFigures, error) {
	var f wrkFigures
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), wrkResultPrefix); ok {
			return f, json.Unmarshal([]byte(line), &f)
		}
	}
	return f, fmt.Errorf("no %q line in its output: %.500s", strings.TrimSpace(wrkResultPrefix), out)
}

// clockTick is the unit of the CPU times of /proc/PID/stat (USER_HZ, 100
// on Linux).
const clockTick = 10 * time.Millisecond

// processCPU is the user and system time process pid has used so far.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from after it.
	_, rest, ok := strings.Cut(string(b), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(fields[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	return time.Duration(utime+stime) * clockTick, nil
}
