package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"time"
)

// baselineSQL is the plain tile query (b) runs.
const baselineSQL = "sql/baseline_tile.sql"

// baseResult is one tile made by the plain query.
type baseResult struct {
	tileReq
	ours     time.Duration // our cold latency for the same tile and window
	latency  time.Duration
	raw, gz  int // MVT bytes, and gzipped
	timedOut bool
	err      string
}

// baseline is what (b) measured.
type baseline struct {
	results []baseResult
	skipped int      // not run: over the time budget
	plan    []string // the scans of the query plan, for a z7 and a z12+ tile
}

// runBaseline runs the plain query on a sample of the cold tiles: up to
// c.baselinePerBand random ones per zoom band and the all-years ones, taken
// in turn so that each kind gets measured before the budget runs out.
func runBaseline(ctx context.Context, c config, cold []coldResult) (baseline, error) {
	var b baseline
	q, err := os.ReadFile(baselineSQL)
	if err != nil {
		return b, err
	}
	db, err := sql.Open("postgres", c.DB)
	if err != nil {
		return b, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	queue := baselineSample(c, cold)
	b.plan = explain(ctx, db, string(q), queue)
	start := time.Now()
	for i, t := range queue {
		left := c.baselineBudget - time.Since(start)
		if left <= 0 || ctx.Err() != nil {
			b.skipped = len(queue) - i
			break
		}
		b.results = append(b.results, baseTile(ctx, db, string(q), t, min(c.baselineTimeout, max(left, 15*time.Second))))
		r := b.results[len(b.results)-1]
		logf("  baseline %s %s: %s, %d bytes %s", t.tileReq, t.window(), r.latency.Round(time.Millisecond), r.raw, r.err)
	}
	return b, nil
}

// baselineSample interleaves the random samples of each band with the
// all-years tiles (cheapest, z7, first).
func baselineSample(c config, cold []coldResult) []baseResult {
	r := rand.New(rand.NewPCG(c.seed, 0xba5e))
	queues := make([][]baseResult, len(bands)+1)
	for _, i := range r.Perm(len(cold)) {
		t := cold[i]
		if !t.ok() {
			continue
		}
		q := len(bands)
		if !t.allYears {
			q = bandOf(t.z)
		}
		if t.allYears || len(queues[q]) < c.baselinePerBand {
			queues[q] = append(queues[q], baseResult{tileReq: t.tileReq, ours: t.latency})
		}
	}
	all := queues[len(bands)]
	for i := range all { // z7 first: the cheapest of the all-years tiles
		for j := i + 1; j < len(all); j++ {
			if all[j].z > all[i].z {
				all[i], all[j] = all[j], all[i]
			}
		}
	}
	var out []baseResult
	for more := true; more; {
		more = false
		for q := range queues {
			if len(queues[q]) > 0 {
				out, queues[q], more = append(out, queues[q][0]), queues[q][1:], true
			}
		}
	}
	return out
}

func windowArgs(t tileReq) []any {
	return []any{t.z, t.x, t.y, t.start, t.end.AddDate(0, 0, 1)}
}

// baseTile runs the plain query for one tile, within timeout.
func baseTile(ctx context.Context, db *sql.DB, q string, r baseResult, timeout time.Duration) baseResult {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	var tile []byte
	err := db.QueryRowContext(qctx, q, windowArgs(r.tileReq)...).Scan(&tile)
	r.latency = time.Since(start)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(qctx.Err(), context.DeadlineExceeded):
		r.timedOut, r.err = true, fmt.Sprintf("timed out after %s", timeout.Round(time.Second))
	case err != nil:
		r.err = err.Error()
	}
	r.raw = len(tile)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(tile) // into a bytes.Buffer: cannot fail
	_ = zw.Close()
	if len(tile) > 0 {
		r.gz = buf.Len()
	}
	return r
}

// hexLiteral is a geometry literal in a plan, shortened in the report.
var hexLiteral = regexp.MustCompile(`'[0-9A-F]{32,}'`)

// explain returns the scan nodes of the plan of the first all-years tile and
// of the first z12+ tile of the queue.
func explain(ctx context.Context, db *sql.DB, q string, queue []baseResult) []string {
	var out []string
	for _, want := range []func(baseResult) bool{
		func(r baseResult) bool { return r.allYears },
		func(r baseResult) bool { return r.z >= 12 },
	} {
		for _, r := range queue {
			if want(r) {
				out = append(out, explainOne(ctx, db, q, r.tileReq)...)
				break
			}
		}
	}
	return out
}

func explainOne(ctx context.Context, db *sql.DB, q string, t tileReq) []string {
	rows, err := db.QueryContext(ctx, "EXPLAIN "+q, windowArgs(t)...)
	if err != nil {
		return []string{fmt.Sprintf("%s: EXPLAIN failed: %v", t, err)}
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if rows.Scan(&line) == nil && (strings.Contains(line, "Scan") || strings.Contains(line, "Cond")) {
			line = hexLiteral.ReplaceAllString(strings.TrimSpace(line), "'…'")
			out = append(out, fmt.Sprintf("%s %s: %s", t, t.window(), line))
		}
	}
	if err := rows.Err(); err != nil {
		out = append(out, fmt.Sprintf("%s: EXPLAIN failed: %v", t, err))
	}
	return out
}
