package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"incidentmap/scripts/harness"
)

// (h) live streams (issue 16): what idle /changes/stream connections cost
// the server, and how long a write takes to reach them.

// liveRowName starts the names of the rows (h) adds to the targets table.
const liveRowName = "Live "

// liveHeading starts the subsection of (h).
const liveHeading = "### (h) live streams (issue 16)"

// liveResult is what (h) measured.
type liveResult struct {
	streams          int
	before, after    harness.Memory // the server's, before the streams and with them open
	idleFor          time.Duration
	idleCPU          time.Duration   // the server's CPU time over idleFor, the streams open and idle
	baseCPU          time.Duration   // the same without streams, just before
	first, all       []time.Duration // write to the event on the first stream, and on every stream (sorted)
	writes, failures int
	cmd, loadAvg     string // the command that ran it, the load average (1 min) at its start
	started          time.Time
}

// runLive opens c.liveStreams idle streams on a fresh server and measures
// its memory and CPU, then the time from each of c.liveWrites writes to
// its event on the streams.
func runLive(ctx context.Context, c config) (*liveResult, error) {
	token, err := liveToken(ctx, c)
	if err != nil {
		return nil, err
	}
	srv, err := harness.StartServer(ctx, harness.ServerConfig{Prog: prog, Bin: c.Bin, DB: c.DB, ReadyTimeout: c.ReadyTimeout})
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	r := &liveResult{streams: c.liveStreams, idleFor: c.liveIdle, cmd: c.Cmd, loadAvg: harness.LoadAvg(1), started: time.Now().UTC()}
	time.Sleep(2 * time.Second) // the start's garbage collected
	cpu0 := cpuTime(srv.Pid())
	time.Sleep(r.idleFor)
	r.baseCPU = cpuTime(srv.Pid()) - cpu0
	r.before = srv.Memory()
	logf("(h) opening %d live streams", r.streams)
	streams, err := openStreams(ctx, srv.Base, r.streams)
	defer streams.close()
	if err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	r.after = srv.Memory()
	logf("(h) %d streams idle for %s", r.streams, r.idleFor)
	cpu0 = cpuTime(srv.Pid())
	time.Sleep(r.idleFor)
	r.idleCPU = cpuTime(srv.Pid()) - cpu0
	logf("(h) %d writes, each awaited on every stream", c.liveWrites)
	var first, all []time.Duration
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range c.liveWrites {
		id := fmt.Sprintf("bench-live-%d-%d", time.Now().UnixNano(), i)
		streams.expect(id)
		at := time.Now()
		if err := liveWrite(ctx, client, srv.Base, token, "POST", "/collections/incidents/items", liveIncident(id, i)); err != nil {
			return nil, err
		}
		f, a, ok := streams.wait(at, 10*time.Second)
		r.writes++
		if !ok {
			r.failures++
		} else {
			first, all = append(first, f), append(all, a)
		}
		if err := liveWrite(ctx, client, srv.Base, token, "DELETE", "/collections/incidents/items/"+id, ""); err != nil {
			return nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
	slices.Sort(first)
	slices.Sort(all)
	r.first, r.all = first, all
	return r, nil
}

// liveToken makes an editor token with the CLI, for the writes.
func liveToken(ctx context.Context, c config) (string, error) {
	cmd := exec.CommandContext(ctx, c.Bin, "token", "create", "--name", fmt.Sprintf("bench-live-%d", time.Now().UnixNano()), "--scope", "editor")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+c.DB)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("token create: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

func liveIncident(id string, i int) string {
	return fmt.Sprintf(`{"type": "Feature", "id": %q, "geometry": {"type": "Point", "coordinates": [%.3f, 14.5]},
		"properties": {"title": "Bench live write", "event_type": "battles", "sub_event_type": "armed_clash",
		"location": "Bench", "country": "ML", "admin1": "Mopti", "geo_precision": "near",
		"starts_at": "2022-05-10T00:00:00Z", "ends_at": "2022-05-10T23:59:59Z", "date_precision": "day",
		"fatalities_best": 1, "actors": ["Bench actor"],
		"sources": [{"url": "https://example.org/bench", "publisher": "Example", "language": "en"}]}}`, id, -4+float64(i)/100)
}

func liveWrite(ctx context.Context, client *http.Client, base, token, method, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/geo+json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, msg)
	}
	return nil
}

// liveStreams are open streams that watch for the event of one incident.
type liveStreams struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	want   string
	heard  []time.Time // when each stream heard want's event
	total  int         // streams open
	done   chan struct{}
}

// openStreams opens n streams and returns once each said hello.
func openStreams(ctx context.Context, base string, n int) (*liveStreams, error) {
	ctx, cancel := context.WithCancel(ctx)
	s := &liveStreams{cancel: cancel, total: n, done: make(chan struct{})}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n, DisableCompression: true}}
	hello := make(chan error, n)
	for range n {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.read(ctx, client, base, hello)
		}()
	}
	for range n {
		if err := <-hello; err != nil {
			return s, err
		}
	}
	return s, nil
}

// read follows one stream, noting when the awaited incident's event comes.
func (s *liveStreams) read(ctx context.Context, client *http.Client, base string, hello chan<- error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/changes/stream", nil)
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		if err == nil {
			err = fmt.Errorf("stream: %d", res.StatusCode)
			res.Body.Close()
		}
		hello <- err
		return
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	greeted := false
	for sc.Scan() {
		line := sc.Text()
		if !greeted && strings.HasPrefix(line, "event: hello") {
			greeted = true
			hello <- nil
		}
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		s.mu.Lock()
		if s.want != "" && strings.Contains(line, strconv.Quote(s.want)) {
			s.heard = append(s.heard, time.Now())
			if len(s.heard) == s.total {
				close(s.done)
			}
		}
		s.mu.Unlock()
	}
	if !greeted {
		hello <- fmt.Errorf("stream ended before its hello")
	}
}

// expect sets the incident whose event the streams wait for.
func (s *liveStreams) expect(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.want, s.heard, s.done = id, nil, make(chan struct{})
}

// wait returns how long after at the first and the last stream heard the
// awaited event; ok false when some did not within d.
func (s *liveStreams) wait(at time.Time, d time.Duration) (first, last time.Duration, ok bool) {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	select {
	case <-done:
	case <-time.After(d):
		return 0, 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heard[0].Sub(at), s.heard[len(s.heard)-1].Sub(at), true
}

func (s *liveStreams) close() {
	s.cancel()
	s.wg.Wait()
}

// cpuTime is the user and system CPU time of process pid so far
// (/proc/PID/stat, in clock ticks of 10 ms).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// liveMarkdown renders (h).
func (r *liveResult) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	perStream := (r.after.RSS - r.before.RSS) / int64(max(r.streams, 1))
	w("%s", liveHeading)
	w("")
	w("Run %s, `%s`; load average (1 min) %s at the start (2 cores shared with other work: pessimistic).",
		r.started.Format("2006-01-02 15:04 UTC"), r.cmd, r.loadAvg)
	w("")
	w("One server (bin/incidentmap serve), %s idle `/changes/stream` connections from the bench itself "+
		"(loopback: the operator, whom the per-client cap spares).", harness.Thousands(int64(r.streams)))
	w("")
	w("| | measured |")
	w("|---|---|")
	w("| server RSS before the streams | %s |", harness.Size(r.before.RSS))
	w("| server RSS with them open | %s |", harness.Size(r.after.RSS))
	w("| RSS per idle stream | %s |", harness.Size(perStream))
	w("| server CPU over %s idle, no stream | %s (%.2f%% of a core) |", r.idleFor, r.baseCPU, pct(r.baseCPU, r.idleFor))
	w("| server CPU over %s idle, %d streams open | %s (%.2f%% of a core) |", r.idleFor, r.streams, r.idleCPU, pct(r.idleCPU, r.idleFor))
	w("| CPU per idle stream | %.1f µs/s |", float64((r.idleCPU-r.baseCPU).Microseconds())/r.idleFor.Seconds()/float64(max(r.streams, 1)))
	if len(r.all) > 0 {
		w("| write (POST) to its event, first stream: p50 / max | %s / %s |", liveMS(harness.Percentile(r.first, 50)), liveMS(r.first[len(r.first)-1]))
		w("| write to its event on all %d streams: p50 / max | %s / %s |", r.streams, liveMS(harness.Percentile(r.all, 50)), liveMS(r.all[len(r.all)-1]))
	}
	w("| writes / not heard on every stream within 10 s | %d / %d |", r.writes, r.failures)
	w("")
	w("The write time runs from sending the POST to the event: it includes the write, the NOTIFY, the tile index applying " +
		"it and the read of the public feed. CPU is utime+stime of /proc/PID/stat (10 ms ticks); the heartbeat is every 20 s.")
	return b.String()
}

func (r *liveResult) targets() []target {
	perStream := (r.after.RSS - r.before.RSS) / int64(max(r.streams, 1))
	out := []target{{name: liveRowName + "RSS per idle stream", measured: harness.Size(perStream), limit: "64 KiB",
		met: perStream <= 64<<10}}
	if len(r.all) > 0 {
		p := r.all[len(r.all)-1]
		out = append(out, target{name: liveRowName + "write to event, all streams, max", measured: liveMS(p), limit: "2 s",
			met: p <= 2*time.Second && r.failures == 0})
	}
	return out
}

func pct(d, of time.Duration) float64 { return 100 * d.Seconds() / of.Seconds() }

func liveMS(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// runOnlyLive runs (h) alone and replaces only its figures.
func runOnlyLive(ctx context.Context, c config) error {
	r, err := runLive(ctx, c)
	if err != nil {
		return err
	}
	text := r.markdown()
	return emit(c, text, func() error {
		return updatePart(c.Out, c.n, "live streams (h)", "BENCH_ONLY=live", liveRowName, liveHeading, r.targets(), text)
	})
}
