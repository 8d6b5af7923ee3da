package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"incidentmap/geo"
	"incidentmap/internal/cli"
	"incidentmap/scripts/harness"
	"incidentmap/store"
	"incidentmap/store/storetest"
	"incidentmap/tiles"
)

// TestItemsFromTheIndexAreThePagesOfPostGIS pins that a page of items
// answered from the tiles' in-memory index is the page PostGIS gives, for
// hundreds of random filters and exports over the seed, 20,000 synthetic incidents and
// a few lines and areas: the same ids in the same order, and the same
// count; and that a static map drawn from it shows the same incidents and
// credits the same publishers.
func TestItemsFromTheIndexAreThePagesOfPostGIS(t *testing.T) {
	ctx := context.Background()
	st, index := loadedIndex(t, "5")

	r := rand.New(rand.NewPCG(7, 11))
	var nonEmpty, shapes int
	for i := range 400 {
		f, p := randomItemsQuery(r)
		got, gotN, ok := index.Match(f, p)
		if !ok {
			t.Fatalf("query %d: the index refused %+v", i, f)
		}
		page, err := st.Incidents(ctx, f, p)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(page))
		for j, in := range page {
			want[j] = in.ID
		}
		wantN, err := st.CountIncidents(ctx, f, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || gotN != wantN {
			t.Fatalf("query %d (%s, offset %d, limit %d):\nindex   %d matched, page %v\nPostGIS %d matched, page %v",
				i, describe(f), p.Offset, p.Limit, gotN, got, wantN, want)
		}
		if len(got) > 0 {
			nonEmpty++
		}
		if slices.ContainsFunc(got, func(id string) bool { return strings.HasPrefix(id, "test-") }) {
			shapes++
		}
	}
	// The comparison means little if most pages are empty or no shape
	// is ever found by a bbox that misses its centre.
	if nonEmpty < 200 || shapes < 5 {
		t.Errorf("only %d of 400 pages had incidents, %d had a line or area", nonEmpty, shapes)
	}

	t.Run("the incidents and the credited publishers of a static map", func(t *testing.T) {
		credited := 0 // maps that credit a seed publisher besides the synthetic one
		for i := range 100 {
			f, _ := randomItemsQuery(r)
			var got []string
			gotPubs, gotTotal, ok := index.EachSummary(f, 5, func(s geo.Summary) { got = append(got, s.ID) })
			if !ok {
				t.Fatalf("map %d: the index refused %+v", i, f)
			}
			var want []string
			err := st.EachSummary(ctx, f, nil, func(s geo.Summary) error {
				want = append(want, s.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			wantPubs, wantTotal, err := st.Publishers(ctx, f, 5)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || !slices.Equal(gotPubs, wantPubs) || gotTotal != wantTotal {
				t.Fatalf("map %d (%s):\nindex   %d incidents, publishers %q of %d\nPostGIS %d incidents, publishers %q of %d",
					i, describe(f), len(got), gotPubs, gotTotal, len(want), wantPubs, wantTotal)
			}
			if gotTotal > 1 {
				credited++
			}
		}
		if credited < 10 {
			t.Errorf("only %d of 100 maps credit more than one publisher", credited)
		}
	})
}

// shapesSeq is a line and an area whose centres lie away from the parts
// that a small bbox around Mopti or Gao touches.
var shapesSeq = "\x1e" + shapeFeature("test-line-niger", `{"type":"LineString","coordinates":[[-4.2,14.5],[-1.0,16.3]]}`) +
	"\x1e" + shapeFeature("test-area-gourma", `{"type":"Polygon","coordinates":[[[-4.3,14.4],[-0.2,14.4],[-0.2,16.4],[-4.3,16.4],[-4.3,14.4]]]}`)

func shapeFeature(id, geometry string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"geometry":%s,"properties":{"title":"Test shape","location":"Gourma",`+
		`"country":"ML","event_type":"battles","starts_at":"2022-03-01T00:00:00Z","ends_at":"2022-03-31T23:59:59Z",`+
		`"date_precision":"month","geo_precision":"admin1","fatalities_best":3,`+
		`"sources":[{"url":"https://example.org/%s","publisher":"Test"}]}}`+"\n", id, geometry, id)
}

// randomItemsQuery draws a filter and a page like the ones readers and
// analysts send: a bbox around a Sahel town (sometimes none, sometimes the
// world, sometimes across the antimeridian), a window, types, countries, a
// minimum toll, and pages near the start or deep.
func randomItemsQuery(r *rand.Rand) (geo.Filter, geo.Page) {
	var f geo.Filter
	switch r.IntN(7) {
	case 0:
	case 1:
		f.BBox = &geo.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
	case 2:
		f.BBox = &geo.BBox{MinLon: 170, MinLat: -20, MaxLon: -170, MaxLat: 20}
	case 3: // near an end of the test line or a corner of the test area
		end := [][2]float64{{-4.2, 14.5}, {-1.0, 16.3}, {-0.2, 14.4}, {-4.3, 16.4}}[r.IntN(4)]
		h := 0.01 + r.Float64()*0.3
		f.BBox = &geo.BBox{MinLon: end[0] - h, MinLat: end[1] - h, MaxLon: end[0] + h, MaxLat: end[1] + h}
	default:
		town := harness.RandomTown(r)
		h := 0.02 + r.Float64()*2
		f.BBox = &geo.BBox{MinLon: town[0] - h, MinLat: town[1] - h, MaxLon: town[0] + h, MaxLat: town[1] + h}
	}
	if r.IntN(4) > 0 {
		start := time.Date(2012+r.IntN(14), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, 0, 1+r.IntN(800))
		f.Time = geo.Interval{Start: &start, End: &end}
		if r.IntN(8) == 0 {
			f.Time.Start = nil // open start: ../end
		}
	}
	if r.IntN(4) == 0 {
		f.EventTypes = []string{"battles", "violence_against_civilians"}[:1+r.IntN(2)]
	}
	if r.IntN(5) == 0 {
		f.Countries = []string{"ML", "BF", "NE"}[r.IntN(3):]
	}
	if r.IntN(5) == 0 {
		n := r.IntN(20)
		f.MinFatalities = &n
	}
	p := geo.Page{Limit: 1 + r.IntN(300)}
	if r.IntN(3) == 0 {
		p.Offset = r.IntN(2000)
	}
	if r.IntN(8) == 0 {
		p = geo.Page{} // an export: every match
	}
	return f, p
}

func describe(f geo.Filter) string {
	var parts []string
	if f.BBox != nil {
		parts = append(parts, fmt.Sprintf("bbox %v", *f.BBox))
	}
	if !f.Time.IsZero() {
		parts = append(parts, fmt.Sprintf("time %v..%v", f.Time.Start, f.Time.End))
	}
	parts = append(parts, fmt.Sprintf("types %v countries %v min %v", f.EventTypes, f.Countries, f.MinFatalities))
	return strings.Join(parts, ", ")
}

// loadedIndex seeds a new database, adds 20,000 synthetic incidents (from
// the given random seed) and a few lines and areas, and returns its store
// and a tile index loaded from it; both end with the test.
func loadedIndex(t *testing.T, seed string) (*store.Store, *tiles.Service) {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.NewDatabase(t)
	env := testEnv(dsn)
	for _, args := range [][]string{{"seed"}, {"synth", "--count", "20000", "--seed", seed},
		{"import", "--format", "geojsonseq", "-"}} {
		if err := cli.Run(ctx, args, env, strings.NewReader(shapesSeq), io.Discard, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	index := tiles.New(st, tiles.Options{})
	runCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go index.Run(runCtx)
	for ready, _ := index.Status(); !ready; ready, _ = index.Status() {
		time.Sleep(10 * time.Millisecond)
	}
	return st, index
}
