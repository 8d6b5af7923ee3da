package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"time"

	_ "github.com/lib/pq" // the driver
	"incidentmap/scripts/harness"
)

// tileReq is one tile with one time window (whole UTC days, inclusive).
type tileReq struct {
	z, x, y    int
	start, end time.Time
	allYears   bool   // the all-years window on the busiest tile of its zoom
	filter     string // a CQL2 filter (cql2-text); "": none
}

func (t tileReq) String() string { return fmt.Sprintf("%d/%d/%d", t.z, t.x, t.y) }

// window is the datetime parameter of the tile.
func (t tileReq) window() string {
	return t.start.Format(time.DateOnly) + "/" + t.end.Format(time.DateOnly)
}

func (t tileReq) path() string {
	p := fmt.Sprintf("/tiles/%d/%d/%d.mvt?datetime=%s", t.z, t.x, t.y, t.window())
	if t.filter != "" {
		p += "&filter=" + url.QueryEscape(t.filter)
	}
	return p
}

// Zoom bands the report groups tiles by.
var bands = []struct {
	name   string
	lo, hi int
}{{"z3-7", 3, 7}, {"z8-11", 8, 11}, {"z12-14", 12, 14}}

func bandOf(z int) int {
	for i, b := range bands {
		if z >= b.lo && z <= b.hi {
			return i
		}
	}
	return -1
}

// The windows of the benchmark: random ones inside these days, and the
// all-years one.
var (
	firstDay = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDay  = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
)

// planTiles returns the cold tiles: first, for each zoom 3..7, the busiest
// tile with the all-years window; then random tiles, all distinct: z uniform
// in 3..14, the tile of a random town jittered by up to a tile each way, a
// window of 1 day to 10 years (log-uniform) inside 2012-2026.
func planTiles(ctx context.Context, c config) ([]tileReq, error) {
	plan, err := busiestTiles(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, t := range plan {
		seen[t.path()] = true
	}
	r := rand.New(rand.NewPCG(c.seed, 0xb3))
	for len(plan) < c.tiles {
		t := randomTile(r)
		if !seen[t.path()] {
			seen[t.path()] = true
			plan = append(plan, t)
		}
	}
	return plan, nil
}

// randomTile is a tile of harness.TownTile jittered by up to a tile each
// way, with a window of 1 day to 10 years (log-uniform) inside
// firstDay..lastDay.
func randomTile(r *rand.Rand) tileReq {
	z, fx, fy := harness.TownTile(r)
	last := int(math.Exp2(float64(z))) - 1
	x := min(last, max(0, int(math.Floor(fx+2*r.Float64()-1))))
	y := min(last, max(0, int(math.Floor(fy+2*r.Float64()-1))))
	span := int(lastDay.Sub(firstDay).Hours()/24) + 1
	days := int(math.Round(math.Exp(r.Float64() * math.Log(3652)))) // 1 day .. 10 years
	start := firstDay.AddDate(0, 0, r.IntN(span-days+1))
	return tileReq{z: z, x: x, y: y, start: start, end: start.AddDate(0, 0, days-1)}
}

// busiestTiles counts incidents per z7 tile and returns, for each zoom 3..7,
// the tile holding the most, with the all-years window.
func busiestTiles(ctx context.Context, dsn string) ([]tileReq, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `
		WITH p AS (SELECT radians(ST_Y(pt)) AS lat, ST_X(pt) AS lon
			FROM (SELECT ST_PointOnSurface(geom) AS pt FROM incidents WHERE status = 'published') s)
		SELECT floor((lon + 180) / 360 * 128)::int AS x,
			floor((1 - ln(tan(lat) + 1 / cos(lat)) / pi()) / 2 * 128)::int AS y, count(*)
		FROM p GROUP BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("count incidents per tile: %w", err)
	}
	defer rows.Close()
	counts := make([]map[[2]int]int, 8)
	for z := 3; z <= 7; z++ {
		counts[z] = map[[2]int]int{}
	}
	for rows.Next() {
		var x, y, n int
		if err := rows.Scan(&x, &y, &n); err != nil {
			return nil, err
		}
		for z := 3; z <= 7; z++ {
			counts[z][[2]int{x >> (7 - z), y >> (7 - z)}] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []tileReq
	for z := 3; z <= 7; z++ {
		var best [2]int
		for k, n := range counts[z] {
			if n > counts[z][best] || (n == counts[z][best] && (k[0] < best[0] || k[0] == best[0] && k[1] < best[1])) {
				best = k
			}
		}
		out = append(out, tileReq{z: z, x: best[0], y: best[1], start: firstDay, end: lastDay, allYears: true})
	}
	return out, nil
}
