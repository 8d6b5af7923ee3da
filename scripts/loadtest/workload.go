package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"incidentmap/internal/synth"
	"incidentmap/scripts/harness"
)

// Request kinds, in report order.
const (
	kindTile       = "tile"
	kindItems      = "items"
	kindCSV        = "export csv"
	kindGeoJSONSeq = "export geojsonseq"
	kindPNG        = "map.png"
	kindPost       = "write POST"
	kindPatch      = "write PATCH"
	kindDelete     = "write DELETE"
)

var kinds = []string{kindTile, kindItems, kindCSV, kindGeoJSONSeq, kindPNG, kindPost, kindPatch, kindDelete}

// The read mix of the closed-loop connections, in percent (the rest are
// tiles): a map view asks for a dozen tiles or more for each items page,
// and exports are rarer still. Half the tiles come from a fixed set, so the
// tile cache serves them; the others are mostly new (tile, window) pairs.
const (
	itemsShare   = 12
	exportsShare = 4
	hotTiles     = 200
	hotShare     = 0.5
	pngRate      = 2 // /map.png a second, on a connection of its own, when the route exists
)

// The synthetic incidents span these days.
var firstDay, lastDay = synth.Days()

// request is one HTTP request of the workload.
type request struct {
	kind, method, path string
	body               []byte
	header             http.Header
	due                time.Time // at a fixed rate: when it should have been sent (zero: now)
}

// workload draws requests. It is read-only after newWorkload (but for the
// count of write sequences), so workers share it, each with a random source
// of its own.
type workload struct {
	base      string
	token     string
	hot       []string // tile paths requested again and again
	mapViews  []string // /map.png paths
	mapServed bool     // the server has /map.png
	runID     string   // prefix of the ids of written incidents
	writes    atomic.Int64
}

func newWorkload(c config, base string) *workload {
	r := rand.New(rand.NewPCG(c.seed, 0x70ad))
	w := &workload{base: base, token: c.token, runID: fmt.Sprintf("loadtest-%x", time.Now().UnixNano())}
	for range hotTiles {
		w.hot = append(w.hot, randomTile(r))
	}
	for range 12 {
		w.mapViews = append(w.mapViews, "/map.png?"+url.Values{
			"bbox": {around(r, 0.3, 2)}, "datetime": {window(r, 30, 730)},
			"width": {"600"}, "height": {"400"},
		}.Encode())
	}
	return w
}

// probeMap asks for /map.png once; the route is part of the load only when
// it answers 200. It returns a note for the report.
func (w *workload) probeMap(ctx context.Context) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base+w.mapViews[0], nil)
	if err != nil {
		return "/map.png: " + err.Error()
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "/map.png not probed: " + err.Error()
	}
	res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
		w.mapServed = true
		return fmt.Sprintf("/map.png answers 200: %d static maps a second on a connection of their own", pngRate)
	case http.StatusNotFound:
		return "/map.png answers 404 (the route does not exist on this server): skipped"
	}
	return fmt.Sprintf("/map.png answers %d to %s: skipped", res.StatusCode, w.mapViews[0])
}

// read draws one read of the closed-loop mix.
func (w *workload) read(r *rand.Rand) request {
	switch u := r.IntN(100); {
	case u < itemsShare:
		q := url.Values{"bbox": {around(r, 0.05, 1.5)}, "datetime": {window(r, 7, 1100)}}
		if r.IntN(4) == 0 {
			q.Set("offset", "100")
		}
		return get(kindItems, "/collections/incidents/items?"+q.Encode())
	case u < itemsShare+exportsShare:
		kind, f := kindCSV, "csv"
		if r.IntN(2) == 0 {
			kind, f = kindGeoJSONSeq, "geojsonseq"
		}
		q := url.Values{"f": {f}, "bbox": {around(r, 0.02, 0.15)}, "datetime": {window(r, 7, 90)}}
		return get(kind, "/collections/incidents/items?"+q.Encode())
	case r.Float64() < hotShare:
		return get(kindTile, w.hot[r.IntN(len(w.hot))])
	}
	return get(kindTile, randomTile(r))
}

func (w *workload) mapImage(r *rand.Rand) request {
	return get(kindPNG, w.mapViews[r.IntN(len(w.mapViews))])
}

func get(kind, path string) request {
	return request{kind: kind, method: http.MethodGet, path: path}
}

// randomTile is a tile of harness.TownTile or one next to it, with a random window
// (one in ten without: all years).
func randomTile(r *rand.Rand) string {
	z, fx, fy := harness.TownTile(r)
	n := 1 << z
	x := min(n-1, max(0, int(fx)+r.IntN(3)-1))
	y := min(n-1, max(0, int(fy)+r.IntN(3)-1))
	path := fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, x, y)
	if r.IntN(10) == 0 {
		return path
	}
	return path + "?datetime=" + url.QueryEscape(window(r, 1, 3650))
}

// window is a datetime interval of whole days, its length log-uniform in
// minDays..maxDays, inside the synthetic data's span.
func window(r *rand.Rand, minDays, maxDays float64) string {
	days := int(math.Exp(math.Log(minDays) + r.Float64()*(math.Log(maxDays)-math.Log(minDays))))
	span := int(lastDay.Sub(firstDay).Hours()/24) - days
	start := firstDay.AddDate(0, 0, r.IntN(max(1, span)))
	end := start.AddDate(0, 0, max(0, days-1))
	return start.Format(time.DateOnly) + "/" + end.Format(time.DateOnly)
}

// around is a bbox around a town (jittered), of half-size log-uniform in
// minDeg..maxDeg degrees.
func around(r *rand.Rand, minDeg, maxDeg float64) string {
	t := harness.RandomTown(r)
	h := math.Exp(math.Log(minDeg) + r.Float64()*(math.Log(maxDeg)-math.Log(minDeg)))
	lon, lat := t[0]+(r.Float64()-0.5)*h, t[1]+(r.Float64()-0.5)*h
	return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", lon-h, max(-85, lat-h), lon+h, min(85, lat+h))
}
