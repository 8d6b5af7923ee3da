package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// The abusive client: one client address (abuserAddr, in X-Forwarded-For
// from loopback, a trusted proxy) that asks for everything expensive at
// once, beside the normal mix. Its streams, each with its own connections:
//
//   - PostGIS-built tiles: a filter the tile index does not hold
//     (q=synthetic) with a random window, abuseTiles at a time, back to back;
//   - huge pages: f=csv&limit=2147483647 and limit=10000&offset=<huge>,
//     abuseHuge at a time, back to back;
//   - slow readers: abuseSlow whole CSV exports read at slowRate bytes a
//     second, each reopened (at most once a second) when it ends;
//   - export bursts: every burstEvery, whether or not the last burst was
//     answered, burstEach requests of a small export in each spelling (f=csv, f=CSV, f=geojsonseq, Accept: text/csv,
//     Accept: application/geo+json-seq), all at once.
//
// A well-defended server answers most of them 429 or 503 quickly and keeps
// serving the normal mix.
const (
	abuserAddr = "203.0.113.7" // TEST-NET-3: documentation addresses
	abuseTiles = 4
	abuseHuge  = 2
	abuseSlow  = 30
	slowRate   = 2 << 10 // bytes a second
	burstEvery = 2 * time.Second
	burstEach  = 4
	// abuseConns bounds the connections of the streams but the slow
	// readers: bursts that pile up on a slow server wait for one.
	abuseConns = 256
	// refusalPause is how long the back-to-back streams wait after a refusal.
	refusalPause = 100 * time.Millisecond
)

// Abuse kinds, in report order.
const (
	abuseTile   = "PostGIS-built tile (q=synthetic&datetime=…)"
	abuseLimit  = "f=csv&limit=2147483647"
	abuseOffset = "limit=10000&offset=<huge>"
	abuseSlowRd = "slow reader (whole CSV export at 2 KB/s)"
)

// burstSpellings are the ways of asking for an export, as burst kinds.
var burstSpellings = []struct{ kind, query, accept string }{
	{"burst f=csv", "f=csv", ""},
	{"burst f=CSV", "f=CSV", ""},
	{"burst f=geojsonseq", "f=geojsonseq", ""},
	{"burst Accept: text/csv", "", "text/csv"},
	{"burst Accept: application/geo+json-seq", "", "application/geo+json-seq"},
}

// abuseKinds lists every abuse kind in report order.
func abuseKinds() []string {
	out := []string{abuseTile, abuseLimit, abuseOffset, abuseSlowRd}
	for _, s := range burstSpellings {
		out = append(out, s.kind)
	}
	return out
}

// abuseResult is what the abuser got, per kind, and what its slow readers
// did.
type abuseResult struct {
	kinds      map[string]*tally
	unfinished map[string]int // requests still running when the run ended (cut by the client)
	slow       slowFigures
	peakRSS    int64 // the server's peak resident memory during the run, in KB (0: unknown)
	startRSS   int64
}

// slowFigures are the slow readers' story.
type slowFigures struct {
	opened   int           // exports that started (200)
	cutEarly int           // ended by the server (error or end of body) before the run ended
	held     int           // still being read when the run ended
	bytes    int64         // read in all
	longest  time.Duration // the longest a slow reader was served
}

// abuser sends the abusive streams until the time until.
type abuser struct {
	w     *workload
	cl    *client // tiles, huge pages, bursts
	slow  *http.Client
	until time.Time

	mu  sync.Mutex
	res abuseResult
}

func newAbuser(w *workload, until time.Time) *abuser {
	slowTr := &http.Transport{
		MaxConnsPerHost: abuseSlow, MaxIdleConnsPerHost: abuseSlow, DisableCompression: true,
		// A slow client far away has a small receive window: the server
		// stalls on it after kilobytes, not after loopback's megabytes.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(16 << 10) // best effort: else the kernel's default
			}
			return conn, err
		},
	}
	return &abuser{
		w: w, until: until,
		cl:   newClient(w.base, abuseConns),
		slow: &http.Client{Transport: slowTr},
		res:  abuseResult{kinds: map[string]*tally{}, unfinished: map[string]int{}},
	}
}

// run sends every stream until a.until, then cuts what is still running.
func (a *abuser) run(ctx context.Context, seed uint64) abuseResult {
	ctx, cancel := context.WithDeadline(ctx, a.until)
	defer cancel()
	defer a.cl.close()
	defer a.slow.CloseIdleConnections()
	var wg sync.WaitGroup
	for i := range abuseTiles {
		r := rand.New(rand.NewPCG(seed, 0xab00+uint64(i)))
		wg.Go(func() { a.loop(ctx, func() request { return a.tile(r) }) })
	}
	for i := range abuseHuge {
		r := rand.New(rand.NewPCG(seed, 0xab10+uint64(i)))
		wg.Go(func() { a.loop(ctx, func() request { return a.huge(r, i) }) })
	}
	for range abuseSlow {
		wg.Go(func() { a.slowReader(ctx) })
	}
	r := rand.New(rand.NewPCG(seed, 0xab20))
	wg.Go(func() {
		paced(ctx, a.until, burstEvery, func() bool { a.burst(ctx, r, &wg); return true })
	})
	wg.Wait()
	return a.res
}

// loop sends next() back to back until ctx ends, pausing refusalPause
// after an error status (an impatient client, which ignores Retry-After,
// but does not spin: a spinning client would take the CPUs from the server).
func (a *abuser) loop(ctx context.Context, next func() request) {
	for ctx.Err() == nil {
		o := a.cl.do(ctx, next())
		a.record(ctx, o)
		if o.err != nil || bad(o.status) {
			select {
			case <-ctx.Done():
			case <-time.After(refusalPause):
			}
		}
	}
}

// record tallies o; a request cut by the end of the run counts apart.
func (a *abuser) record(ctx context.Context, o outcome) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o.err != nil && ctx.Err() != nil {
		a.res.unfinished[o.kind]++
		return
	}
	t := a.res.kinds[o.kind]
	if t == nil {
		t = newTally()
		a.res.kinds[o.kind] = t
	}
	t.add(o)
}

func (a *abuser) tile(r *rand.Rand) request {
	path, _, _ := strings.Cut(randomTile(r), "?")
	q := url.Values{"q": {"synthetic"}, "datetime": {window(r, 30, 3650)}}
	return abusive(abuseTile, path+"?"+q.Encode(), "")
}

func (a *abuser) huge(r *rand.Rand, i int) request {
	if i%2 == 0 {
		return abusive(abuseLimit, "/collections/incidents/items?f=csv&limit=2147483647", "")
	}
	offset := 500_000 + r.IntN(2_000_000_000)
	return abusive(abuseOffset, fmt.Sprintf("/collections/incidents/items?limit=10000&offset=%d", offset), "")
}

// burst sends burstEach small exports in every spelling at once, without
// waiting for the answers (wg does).
func (a *abuser) burst(ctx context.Context, r *rand.Rand, wg *sync.WaitGroup) {
	for _, s := range burstSpellings {
		for range burstEach {
			q := url.Values{"bbox": {around(r, 0.02, 0.15)}, "datetime": {window(r, 7, 90)}}
			path := "/collections/incidents/items?" + q.Encode()
			if s.query != "" {
				path += "&" + s.query
			}
			req := abusive(s.kind, path, s.accept)
			wg.Go(func() { a.record(ctx, a.cl.do(ctx, req)) })
		}
	}
}

// slowReader reads whole CSV exports at slowRate until ctx ends, opening
// a new one (at most once a second) when one ends or is refused.
func (a *abuser) slowReader(ctx context.Context) {
	for ctx.Err() == nil {
		opened := time.Now()
		a.slowOnce(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(opened.Add(time.Second))):
		}
	}
}

func (a *abuser) slowOnce(ctx context.Context) {
	o := outcome{kind: abuseSlowRd, path: "/collections/incidents/items?f=csv", start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.w.base+o.path, nil)
	if err != nil {
		return
	}
	req.Header.Set("X-Forwarded-For", abuserAddr)
	res, err := a.slow.Do(req)
	if err != nil {
		o.err, o.end = err, time.Now()
		a.record(ctx, o)
		return
	}
	defer res.Body.Close()
	o.status, o.end = res.StatusCode, time.Now() // the latency of a slow read is to its headers
	if res.StatusCode != http.StatusOK {
		o.bytes, _ = io.Copy(io.Discard, res.Body)
		a.record(ctx, o)
		return
	}
	a.record(ctx, o)
	buf := make([]byte, slowRate/4)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var n int64
	for {
		k, err := io.ReadFull(res.Body, buf)
		n += int64(k)
		if err != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
			continue
		}
		break
	}
	served := time.Since(o.start)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.slow.opened++
	a.res.slow.bytes += n
	a.res.slow.longest = max(a.res.slow.longest, served)
	if ctx.Err() != nil {
		a.res.slow.held++
	} else {
		a.res.slow.cutEarly++
	}
}

// abusive is a GET from the abuser's address.
func abusive(kind, path, accept string) request {
	h := http.Header{"X-Forwarded-For": {abuserAddr}}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return request{kind: kind, method: http.MethodGet, path: path, header: h}
}

// measureBesideAbuser runs the mix at c.abuseRate reads a second (see
// measure) with the abuser beside it for as long, and watches the server's
// memory.
func measureBesideAbuser(ctx context.Context, c config, w *workload, serverPid int) (loadResult, abuseResult) {
	a := newAbuser(w, time.Now().Add(c.duration))
	stopRSS := watchRSS(ctx, serverPid)
	var abuse abuseResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		abuse = a.run(ctx, c.seed)
	}()
	normal := measure(ctx, c, w, serverPid, c.abuseRate)
	<-done
	abuse.startRSS, abuse.peakRSS = stopRSS()
	return normal, abuse
}

// watchRSS samples the resident memory of pid every 100 ms until stopped,
// and then returns the first sample and the peak, in KB (0: unknown).
func watchRSS(ctx context.Context, pid int) (stop func() (first, peak int64)) {
	var first, peak int64
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if kb := rssKB(pid); kb > 0 {
				if first == 0 {
					first = kb
				}
				peak = max(peak, kb)
			}
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() (int64, int64) {
		close(quit)
		<-done
		return first, peak
	}
}

// rssKB is VmRSS of /proc/PID/status, in KB; 0 when it cannot be read.
func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			_, _ = fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb) // unreadable: 0, "unknown"
			return kb
		}
	}
	return 0
}
