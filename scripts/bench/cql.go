package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"incidentmap/scripts/harness"
)

// The CQL2 filters of (f). The covered ones name only properties the tile
// index holds, so tiles and items answer from memory; the uncovered ones
// name a property it does not hold, so PostGIS builds their tiles.
var (
	coveredFilters = []cqlFilter{
		{"attributes", "event_type = 'battles' AND fatalities_best > 10"},
		{"space and time", "S_INTERSECTS(geometry, POLYGON((-6 8, 6 8, 6 20, -6 20, -6 8))) AND " +
			"T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2016-01-01', '2022-12-31'))"},
	}
	uncoveredFilters = []cqlFilter{
		{"admin1", "admin1 = 'Mopti'"},
		{"title LIKE", "title LIKE '%attack%'"},
	}
)

// cqlFilter is one filter of (f): a short name for the report and its
// cql2-text.
type cqlFilter struct{ name, text string }

// PostGIS-built tiles answer within the pool's bounds (tiles.Options: at
// most 3 s waiting for a build, a 10 s deadline) or 503 with Retry-After.
const dbTileBound = 13 * time.Second

// Limits of issue 14, item 7.
const (
	cqlTileRatioLimit = 1.5
	cqlItemsLimit     = 50 * time.Millisecond
)

// cqlRowName starts the names of the rows (f) adds to the targets table.
const cqlRowName = "CQL2 "

// cqlHeading starts the subsection of (f).
const cqlHeading = "### (f) CQL2 filters (issue 14)"

// cqlResult is everything (f) measured.
type cqlResult struct {
	started time.Time
	loadAvg [2]string
	// tiles[i][0] is plan[i] unfiltered, tiles[i][1+k] with coveredFilters[k].
	tiles       [][]coldResult
	items       [][]httpResult // per covered filter
	db          [][]httpResult // per uncovered filter
	burst       []httpResult   // the first burstTiles tiles of plan with each uncovered filter, all at once
	dbTileCount int            // sampled tiles per uncovered filter
}

// burstTiles is how many tiles of the plan (its busiest first) the burst
// of (f) asks for with each uncovered filter at once: 12 builds, more than
// the PostGIS tile pool runs (3) and queues (8) together.
const burstTiles = 6

// httpResult is one request of (f); of its body only numberReturned is read.
type httpResult struct {
	status     int
	latency    time.Duration
	retryAfter bool
	returned   int    // numberReturned of a JSON answer
	err        string // transport error
}

// runCQL measures (f) on a server of its own (started from the saved index
// when there is one): the cold tiles of plan unfiltered and with each
// covered filter, interleaved tile by tile, so that machine noise hits each
// alike (every path is distinct, so every tile is built); items pages with
// each covered filter; and a sample of the tiles with each uncovered
// filter, built by PostGIS.
func runCQL(ctx context.Context, c config, plan []tileReq) (*cqlResult, error) {
	srv, err := harness.StartServer(ctx, harness.ServerConfig{
		Prog: prog, Bin: c.Bin, DB: c.DB, ReadyTimeout: c.ReadyTimeout, NoTileIndexOK: true, Env: serverEnv(c)})
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	if err := waitSaved(ctx, c.indexSnapshot); err != nil {
		return nil, err
	}
	res := &cqlResult{started: time.Now().UTC()}
	res.loadAvg[0] = harness.LoadAvg(1)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()

	logf("(f) %d cold tiles, unfiltered and with %d CQL2 filters, interleaved", len(plan), len(coveredFilters))
	for i, t := range plan {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row := make([]coldResult, 1+len(coveredFilters))
		for j := range row { // a different one goes first for each tile
			k := (i + j) % len(row)
			req := t
			if k > 0 {
				req.filter = coveredFilters[k-1].text
			}
			row[k] = fetchTile(ctx, client, srv.Base, req)
		}
		res.tiles = append(res.tiles, row)
	}

	logf("(f) %d items pages per covered filter", c.cqlItems)
	r := rand.New(rand.NewPCG(c.seed, 0x14))
	res.items = make([][]httpResult, len(coveredFilters))
	for i := 0; i < c.cqlItems; i++ {
		bbox, window := randomArea(r)
		for k, f := range coveredFilters {
			q := url.Values{"filter": {f.text}, "limit": {"100"}, "bbox": {bbox}, "datetime": {window}}
			res.items[k] = append(res.items[k], get(ctx, client, srv.Base+"/collections/incidents/items?"+q.Encode()))
		}
	}

	step := max(1, len(plan)/c.cqlDBTiles)
	logf("(f) every %dth tile with each of %d filters PostGIS answers (budget %s)", step, len(uncoveredFilters), c.cqlDBBudget)
	res.db = make([][]httpResult, len(uncoveredFilters))
	deadline := time.Now().Add(c.cqlDBBudget)
	for i := 0; i < len(plan) && time.Now().Before(deadline); i += step {
		for k, f := range uncoveredFilters {
			t := plan[i]
			t.filter = f.text
			res.db[k] = append(res.db[k], get(ctx, client, srv.Base+t.path()))
		}
		res.dbTileCount++
	}
	logf("(f) a burst: %d PostGIS-built tiles at once", burstTiles*len(uncoveredFilters))
	res.burst = burst(ctx, client, srv.Base, plan[:min(burstTiles, len(plan))])
	res.loadAvg[1] = harness.LoadAvg(1)
	return res, srv.Stop()
}

// burst requests each of tiles with each uncovered filter, all at once.
func burst(ctx context.Context, client *http.Client, base string, tiles []tileReq) []httpResult {
	out := make([]httpResult, len(tiles)*len(uncoveredFilters))
	var wg sync.WaitGroup
	for i, t := range tiles {
		for k, f := range uncoveredFilters {
			t.filter = f.text
			wg.Go(func() { out[i*len(uncoveredFilters)+k] = get(ctx, client, base+t.path()) })
		}
	}
	wg.Wait()
	return out
}

// randomArea is a bbox of 0.05-1.5° (log-uniform) around a synth town and
// a window of 1 week to 3 years (log-uniform) inside 2012-2026, as the
// parameters of an items request.
func randomArea(r *rand.Rand) (bbox, window string) {
	t := harness.RandomTown(r)
	half := math.Exp(math.Log(0.05)+r.Float64()*(math.Log(1.5)-math.Log(0.05))) / 2
	bbox = fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", t[0]-half, t[1]-half, t[0]+half, t[1]+half)
	span := int(lastDay.Sub(firstDay).Hours()/24) + 1
	days := int(math.Round(math.Exp(math.Log(7) + r.Float64()*(math.Log(1096)-math.Log(7)))))
	start := firstDay.AddDate(0, 0, r.IntN(span-days+1))
	return bbox, start.Format(time.DateOnly) + "/" + start.AddDate(0, 0, days-1).Format(time.DateOnly)
}

// get requests u with gzip and reads the whole answer.
func get(ctx context.Context, client *http.Client, u string) httpResult {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return httpResult{err: err.Error()}
	}
	req.Header.Set("Accept-Encoding", "gzip")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return httpResult{err: err.Error(), latency: time.Since(start)}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	res := httpResult{status: resp.StatusCode, latency: time.Since(start), retryAfter: resp.Header.Get("Retry-After") != ""}
	if err != nil {
		res.err = err.Error()
		return res
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && resp.StatusCode == http.StatusOK {
		if resp.Header.Get("Content-Encoding") == "gzip" {
			body, _ = gunzip(body) // a bad body counts as no feature: the figure is information
		}
		var page struct {
			NumberReturned int `json:"numberReturned"`
		}
		_ = json.Unmarshal(body, &page)
		res.returned = page.NumberReturned
	}
	return res
}

// httpStats summarises requests of (f).
type httpStats struct {
	n, ok, unavailable, badUnavailable, otherErrors int // ok: 200; unavailable: 503 (bad: without Retry-After)
	returned                                        int // features in all the answers
	p50, p99, max                                   time.Duration
	okMax                                           time.Duration
}

func summariseHTTP(rs []httpResult) httpStats {
	var s httpStats
	var lat []time.Duration
	for _, r := range rs {
		s.n++
		s.returned += r.returned
		lat = append(lat, r.latency)
		switch {
		case r.err == "" && r.status == http.StatusOK:
			s.ok++
			s.okMax = max(s.okMax, r.latency)
		case r.err == "" && r.status == http.StatusServiceUnavailable:
			s.unavailable++
			if !r.retryAfter {
				s.badUnavailable++
			}
		default:
			s.otherErrors++
		}
	}
	slices.Sort(lat)
	s.p50, s.p99, s.max = harness.Percentile(lat, 50), harness.Percentile(lat, 99), harness.Percentile(lat, 100)
	return s
}

// column is the results of one column of res.tiles (0: unfiltered).
func (res *cqlResult) column(k int) []coldResult {
	out := make([]coldResult, len(res.tiles))
	for i, row := range res.tiles {
		out[i] = row[k]
	}
	return out
}

// unfilteredOf is the unfiltered fetch of the tile and window of c.
func (res *cqlResult) unfilteredOf(c coldResult) coldResult {
	for _, row := range res.tiles {
		if t := row[0].tileReq; t.z == c.z && t.x == c.x && t.y == c.y && t.start.Equal(c.start) && t.end.Equal(c.end) {
			return row[0]
		}
	}
	return coldResult{}
}

// cqlTargets are the rows of (f) in the targets table.
func (r *report) cqlTargets() []target {
	res := r.cql
	if res == nil {
		return nil
	}
	var ts []target
	plain := summarise(res.column(0), func(coldResult) bool { return true })
	for k, f := range coveredFilters {
		s := summarise(res.column(k+1), func(coldResult) bool { return true })
		ratio := float64(s.p99) / float64(max(plain.p99, 1))
		ts = append(ts, target{name: cqlRowName + "cold tiles p99 / unfiltered p99, " + f.name, measured: fmt.Sprintf("%.2f", ratio),
			limit: fmt.Sprintf("≤ %.1f", cqlTileRatioLimit), met: s.errors == 0 && plain.errors == 0 && s.tiles > 0 && ratio <= cqlTileRatioLimit,
			note: fmt.Sprintf("%s vs %s over the same %d tiles; %d errors; slowest %s %s, %s (unfiltered %s)", harness.MS(s.p99),
				harness.MS(plain.p99), len(res.tiles), s.errors+plain.errors, s.slowest, s.slowest.window(), harness.MS(s.slowest.latency),
				harness.MS(res.unfilteredOf(s.slowest).latency))})
	}
	for k, f := range coveredFilters {
		s := summariseHTTP(res.items[k])
		ts = append(ts, target{name: cqlRowName + "items p99, " + f.name, measured: harness.MS(s.p99), limit: "≤ " + harness.MS(cqlItemsLimit),
			met: s.n > 0 && s.ok == s.n && s.p99 <= cqlItemsLimit, note: fmt.Sprintf("%d pages of 100, %d not 200", s.n, s.n-s.ok)})
	}
	for k, f := range uncoveredFilters {
		ts = append(ts, dbTarget(f.name, res.db[k]))
	}
	return append(ts, dbTarget("burst of "+fmt.Sprint(len(res.burst)), res.burst))
}

// dbTarget is the row of PostGIS-built tiles named name: every answer a
// 200 within the pool's bounds or a 503 with Retry-After.
func dbTarget(name string, rs []httpResult) target {
	s := summariseHTTP(rs)
	return target{name: cqlRowName + "PostGIS-built tiles bounded, " + name,
		measured: fmt.Sprintf("p99 %s, %d × 503", harness.MS(s.p99), s.unavailable),
		limit:    "200 ≤ " + dbTileBound.String() + " or 503 + Retry-After",
		met:      s.n > 0 && s.otherErrors == 0 && s.badUnavailable == 0 && s.okMax <= dbTileBound,
		note:     fmt.Sprintf("%d tiles, %d × 200 (slowest %s), %d other errors", s.n, s.ok, harness.MS(s.okMax), s.otherErrors)}
}

// cqlMarkdown renders (f) as a subsection that says when and how it ran
// (a -only cql run replaces it alone).
func (r *report) cqlMarkdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	res := r.cql
	w("%s", cqlHeading)
	w("")
	w("Run %s, load average (1 min) %s at the start and %s at the end; command `%s`; a server of its own "+
		"(from the saved index when there is one).", res.started.Format("2006-01-02 15:04 UTC"), res.loadAvg[0], res.loadAvg[1], r.cfg.Cmd)
	w("")
	w("Filters the tile index holds (`filter=`, cql2-text):")
	w("")
	for _, f := range coveredFilters {
		w("- %s: `%s`", f.name, f.text)
	}
	w("")
	w("Cold tiles: the %d (tile, window) pairs of (a), each fetched unfiltered and with each filter, one request at a time "+
		"with `Accept-Encoding: gzip`, the three of a tile one after the other (a different one first for each tile), so "+
		"that machine noise hits each alike. Every path is distinct, so every tile is built.", len(res.tiles))
	w("")
	w("| zoom | unfiltered p50 / p99 | %s |", strings.Join(filterNames(coveredFilters, " p50 / p99"), " | "))
	w("|---|---|%s", strings.Repeat("---|", len(coveredFilters)))
	cell := func(s coldStats) string {
		return fmt.Sprintf("%s / %s (%d tiles, %d errors)", harness.MS(s.p50), harness.MS(s.p99), s.tiles, s.errors)
	}
	for i, band := range append(bands[:len(bands):len(bands)], struct {
		name   string
		lo, hi int
	}{"all", 0, 99}) {
		keep := func(c coldResult) bool { return i == len(bands) || bandOf(c.z) == i }
		cells := []string{cell(summarise(res.column(0), keep))}
		for k := range coveredFilters {
			cells = append(cells, cell(summarise(res.column(k+1), keep)))
		}
		w("| %s | %s |", band.name, strings.Join(cells, " | "))
	}
	w("")
	w("All-years tiles (2012-01-01/2026-12-31), unfiltered / %s:", strings.Join(filterNames(coveredFilters, ""), " / "))
	w("")
	for _, row := range res.tiles {
		if row[0].allYears {
			var cells []string
			for _, c := range row {
				cells = append(cells, fmt.Sprintf("%s (%d features)%s", harness.MS(c.latency), c.features, errSuffix(c.err)))
			}
			w("- %s: %s", row[0].tileReq, strings.Join(cells, " / "))
		}
	}
	w("")
	w("Mean features in the incidents layer: unfiltered %.0f, %s.", meanFeatures(res.column(0)), strings.Join(func() []string {
		var out []string
		for k, f := range coveredFilters {
			out = append(out, fmt.Sprintf("%s %.0f", f.name, meanFeatures(res.column(k+1))))
		}
		return out
	}(), ", "))
	w("")
	w("Items: `/collections/incidents/items?filter=…&limit=100&bbox=…&datetime=…`, one request at a time, a bbox of " +
		"0.05-1.5° around a synth town and a window of 1 week to 3 years (log-uniform), the same areas for each filter.")
	w("")
	w("| filter | pages | not 200 | mean features a page | p50 | p99 | max |")
	w("|---|---|---|---|---|---|---|")
	for k, f := range coveredFilters {
		s := summariseHTTP(res.items[k])
		w("| %s | %d | %d | %.1f | %s | %s | %s |", f.name, s.n, s.n-s.ok, float64(s.returned)/float64(max(s.n, 1)),
			harness.MS(s.p50), harness.MS(s.p99), harness.MS(s.max))
	}
	w("")
	w("Filters the index does not hold, so PostGIS builds the tile (the bounded pool of `tiles.Options`): every %dth tile "+
		"of (a) (%d tiles), one request at a time, within a budget of %s.", max(1, len(r.cold0())/r.cfg.cqlDBTiles), res.dbTileCount, r.cfg.cqlDBBudget)
	w("")
	w("| filter | tiles | 200 | 503 (with Retry-After) | other errors | p50 | p99 | max |")
	w("|---|---|---|---|---|---|---|---|")
	for k, f := range uncoveredFilters {
		s := summariseHTTP(res.db[k])
		w("| `%s` | %d | %d | %d (%d) | %d | %s | %s | %s |", f.text, s.n, s.ok, s.unavailable, s.unavailable-s.badUnavailable,
			s.otherErrors, harness.MS(s.p50), harness.MS(s.p99), harness.MS(s.max))
	}
	s := summariseHTTP(res.burst)
	w("| burst: the first %d tiles of (a) (the busiest, all years) with each, all at once | %d | %d | %d (%d) | %d | %s | %s | %s |",
		burstTiles, s.n, s.ok, s.unavailable, s.unavailable-s.badUnavailable, s.otherErrors, harness.MS(s.p50), harness.MS(s.p99), harness.MS(s.max))
	return b.String()
}

// cold0 is the plan (f) ran on.
func (r *report) cold0() []coldResult { return r.cql.column(0) }

func filterNames(fs []cqlFilter, suffix string) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name+suffix)
	}
	return out
}

func meanFeatures(rs []coldResult) float64 {
	n, sum := 0, 0
	for _, r := range rs {
		if r.ok() {
			n++
			sum += r.features
		}
	}
	return float64(sum) / float64(max(n, 1))
}

// runOnlyCQL runs (f) alone on the tiles the full run would plan, and
// replaces only the figures of (f) in the report's section.
func runOnlyCQL(ctx context.Context, c config) error {
	r := &report{cfg: c, Run: harness.Run{Started: time.Now().UTC()}}
	plan, err := planTiles(ctx, c)
	if err != nil {
		return err
	}
	if r.cql, err = runCQL(ctx, c, plan); err != nil {
		return err
	}
	text := r.cqlMarkdown()
	return emit(c, text, func() error {
		return updatePart(c.Out, c.n, "CQL2 run (f)", "BENCH_ONLY=cql", cqlRowName, cqlHeading, r.cqlTargets(), text)
	})
}
