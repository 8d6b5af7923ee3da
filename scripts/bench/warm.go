package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"incidentmap/scripts/harness"
)

// warmTile is one tile of the warm load with both of its bodies, as the
// server answered them.
type warmTile struct {
	Path           string
	Gzip, Identity []byte
}

// Encodings of the warm load: with `Accept-Encoding: gzip`, and without
// any Accept-Encoding (identity).
var encodings = []bool{true, false}

func encodingName(gzipped bool) string {
	if gzipped {
		return "gzip"
	}
	return "identity"
}

// warmResult is what (c) measured.
type warmResult struct {
	started   time.Time
	loadAvg   [2]string
	tiles     []warmTile
	runs      []wrkRun
	clientErr string // why the client check failed; "" when it passed
}

// runs of one target and encoding, in the order they ran.
func (w warmResult) of(target string, gzipped bool) []wrkRun {
	var out []wrkRun
	for _, r := range w.runs {
		if r.target == target && r.gzip == gzipped {
			out = append(out, r)
		}
	}
	return out
}

// ratio is the median over the rounds of warm req/s over bare req/s in
// one encoding (0 when not measured): the two runs of a round are next to
// each other in time, so their ratio drifts less with other work on the
// machine than the ratio of the medians.
func (w warmResult) ratio(gzipped bool) float64 {
	warm, bare := w.of(targetWarm, gzipped), w.of(targetBare, gzipped)
	var ratios []float64
	for i := range min(len(warm), len(bare)) {
		if b := bare[i].perSecond(); b > 0 {
			ratios = append(ratios, warm[i].perSecond()/b)
		}
	}
	return median(ratios)
}

// failed counts the warm requests that did not answer 200, and the socket
// errors, of every run.
func (w warmResult) failed() int64 {
	var n int64
	for _, r := range w.runs {
		n += r.errors + r.non2xx
	}
	return n
}

// meanSize is the mean body of the warm tiles in one encoding.
func (w warmResult) meanSize(gzipped bool) int64 {
	if len(w.tiles) == 0 {
		return 0
	}
	var sum int
	for _, t := range w.tiles {
		if gzipped {
			sum += len(t.Gzip)
		} else {
			sum += len(t.Identity)
		}
	}
	return int64(sum / len(w.tiles))
}

// pickWarm returns the paths of up to n tiles of plan, in a random order
// fixed by the seed, keeping those ok accepts.
func pickWarm(seed uint64, n int, plan []tileReq, ok func(i int) bool) []string {
	r := rand.New(rand.NewPCG(seed, 0x3a7))
	var paths []string
	for _, i := range r.Perm(len(plan)) {
		if len(paths) < n && ok(i) {
			paths = append(paths, plan[i].path())
		}
	}
	return paths
}

// runWarm fetches each path from the server in both encodings (so that
// both copies are cached), starts the bare handler serving the same bodies,
// then runs wrk against the server and the bare handler in turn, in both
// encodings, for c.rounds rounds, and checks that wrk was not the limit.
func runWarm(ctx context.Context, c config, srv *harness.Server, paths []string) (warmResult, error) {
	w := warmResult{started: time.Now().UTC()}
	w.loadAvg[0] = harness.LoadAvg(1)
	if len(paths) == 0 {
		return w, fmt.Errorf("warm: no tile to load")
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	for _, p := range paths {
		t, err := fetchBoth(ctx, client, srv.Base, p)
		if err != nil {
			return w, err
		}
		w.tiles = append(w.tiles, t)
	}
	dir, err := os.MkdirTemp("", "bench-warm-*")
	if err != nil {
		return w, err
	}
	defer os.RemoveAll(dir)
	bodies := filepath.Join(dir, "bodies.json")
	if err := writeBodies(bodies, w.tiles); err != nil {
		return w, err
	}
	script := filepath.Join(dir, "paths.lua")
	if err := os.WriteFile(script, []byte(wrkScript(paths)), 0o644); err != nil {
		return w, err
	}
	bare, err := startBare(ctx, bodies)
	if err != nil {
		return w, err
	}
	defer bare.stop()
	targets := map[string]struct {
		base string
		pid  int
	}{targetWarm: {srv.Base, srv.Pid()}, targetBare: {"http://" + bare.addr, bare.pid}}
	for round := 1; round <= c.rounds; round++ {
		order := []string{targetWarm, targetBare}
		if round%2 == 0 {
			order = []string{targetBare, targetWarm} // neither always runs first
		}
		for _, gzipped := range encodings {
			for _, target := range order {
				t := targets[target]
				r, err := runWrk(ctx, wrkConfig{base: t.base, pid: t.pid, script: script, gzip: gzipped,
					conns: c.conns, threads: c.threads, duration: c.loadFor})
				if err != nil {
					return w, err
				}
				r.target, r.round = target, round
				logf("  round %d, %s, %s: %.0f req/s, server CPU %.1f µs a request, wrk %.0f%% of a core",
					round, encodingName(gzipped), target, r.perSecond(), r.serverMicros(), 100*r.clientCores())
				w.runs = append(w.runs, r)
			}
		}
	}
	w.clientErr = clientCheck(w)
	w.loadAvg[1] = harness.LoadAvg(1)
	return w, nil
}

// clientCheck says why the client may have been the limit of the warm
// figures ("" when it was not): wrk must drive the bare handler past the
// server in both encodings, and must not have used both of its threads'
// cores while loading the server.
func clientCheck(w warmResult) string {
	for _, gzipped := range encodings {
		warm, bare := medianRate(w.of(targetWarm, gzipped)), medianRate(w.of(targetBare, gzipped))
		if bare < warm {
			return fmt.Sprintf("%s: wrk drove the bare handler slower (%.0f req/s) than the server (%.0f)",
				encodingName(gzipped), bare, warm)
		}
	}
	return ""
}

// fetchBoth fetches path gzipped and not, and checks that the two bodies
// are the same tile.
func fetchBoth(ctx context.Context, client *http.Client, base, path string) (warmTile, error) {
	t := warmTile{Path: path}
	for _, gzipped := range encodings {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return t, err
		}
		if gzipped {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := client.Do(req)
		if err != nil {
			return t, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return t, err
		}
		if resp.StatusCode != http.StatusOK {
			return t, fmt.Errorf("warm: %s (%s): HTTP %d: %.200s", path, encodingName(gzipped), resp.StatusCode, body)
		}
		if gzipped != (resp.Header.Get("Content-Encoding") == "gzip") {
			return t, fmt.Errorf("warm: %s asked %s, answered Content-Encoding %q", path, encodingName(gzipped), resp.Header.Get("Content-Encoding"))
		}
		if gzipped {
			t.Gzip = body
		} else {
			t.Identity = body
		}
	}
	raw, err := gunzip(t.Gzip)
	if err != nil {
		return t, fmt.Errorf("warm: %s: %w", path, err)
	}
	if !bytes.Equal(raw, t.Identity) {
		return t, fmt.Errorf("warm: %s: the identity answer is not the gunzipped gzip answer", path)
	}
	return t, nil
}

// medianRate is the median req/s of runs (0 for none).
func medianRate(runs []wrkRun) float64 {
	rates := make([]float64, len(runs))
	for i, r := range runs {
		rates[i] = r.perSecond()
	}
	return median(rates)
}

// medianMicros is the median server CPU a request of runs.
func medianMicros(runs []wrkRun) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = r.serverMicros()
	}
	return median(v)
}

// median of v (0 for none); v is sorted in place.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
