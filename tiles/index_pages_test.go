package tiles_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"incidentmap/geo"
	"incidentmap/internal/testenv/testapp"
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

// TestExportsInBatchesAreTheWholeListing pins that the two ways an export
// is read a batch at a time list exactly what one query lists: the index's
// windows of ids (tiles.Service.EachMatch, here 3,000 at a time) and PostGIS's
// keyset batches (store.EachIncident, 1,000 at a time), for random filters,
// offsets and limits over the seed, 20,000 synthetic incidents and a few
// lines and areas, including pages that straddle a batch.
func TestExportsInBatchesAreTheWholeListing(t *testing.T) {
	ctx := context.Background()
	st, index := loadedIndex(t, "9")

	r := rand.New(rand.NewPCG(3, 5))
	pages := []geo.Page{{}, {Offset: 2999}, {Offset: 999, Limit: 7002}, {Limit: 3001}, {Offset: 10000}}
	long := 0 // listings of more than one batch
	for i := range 60 {
		f, p := randomItemsQuery(r)
		if i < len(pages) {
			f, p = geo.Filter{}, pages[i]
		} else if r.IntN(2) == 0 {
			p = geo.Page{Offset: r.IntN(3) * r.IntN(3000)}
		}
		want, err := st.Incidents(ctx, f, p) // one query
		if err != nil {
			t.Fatal(err)
		}
		wantIDs := make([]string, len(want))
		for j := range want {
			wantIDs[j] = want[j].ID
		}
		var fromIndex []string
		ok, err := index.EachMatch(f, p, 3000, func(ids []string) error {
			if len(ids) > 3000 {
				t.Errorf("a window of %d ids", len(ids))
			}
			fromIndex = append(fromIndex, ids...)
			return nil
		})
		if !ok || err != nil {
			t.Fatalf("query %d: the index refused %+v: %v", i, f, err)
		}
		var fromBatches []string
		if err := st.EachIncident(ctx, f, p, func(in geo.Incident) error {
			fromBatches = append(fromBatches, in.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(fromIndex, wantIDs) || !slices.Equal(fromBatches, wantIDs) {
			t.Fatalf("query %d (%s, offset %d, limit %d): one query lists %d, the index's windows %d, the keyset batches %d",
				i, describe(f), p.Offset, p.Limit, len(wantIDs), len(fromIndex), len(fromBatches))
		}
		if len(wantIDs) > 1000 {
			long++
		}
	}
	if long < 8 {
		t.Errorf("only %d of 60 listings spanned more than one batch", long)
	}
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
// the given random seed), a few lines and areas and the incidents of each
// extra GeoJSONSeq, and returns its store and a tile index loaded from it;
// both end with the test.
func loadedIndex(t *testing.T, seed string, extra ...string) (*store.Store, *tiles.Service) {
	t.Helper()
	dsn := testapp.SeededWith(t, 20000, seed)
	for _, seq := range append([]string{testapp.ShapesSeq}, extra...) {
		testapp.Run(t, dsn, strings.NewReader(seq), "import", "--format", "geojsonseq", "-")
	}
	st := storetest.Open(t, dsn)
	return st, loadedTiles(t, st, tiles.Options{})
}
