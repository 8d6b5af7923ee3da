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

// TestSortedPagesFromTheIndexAreThoseOfPostGIS pins that, for every order
// sortby may ask on keys the index holds, the index lists the pages and
// exports PostGIS lists: the same ids in the same order, ties broken by
// id, unknown fatalities last in both directions. The data is the seed,
// 20,000 synthetic incidents and incidents that tie on every key but the
// id, some of them with no fatalities figure.
func TestSortedPagesFromTheIndexAreThoseOfPostGIS(t *testing.T) {
	ctx := context.Background()
	st, index := loadedIndex(t, "13", tiesSeq)

	held := []string{"starts_at", "ends_at", "fatalities_best", "country", "event_type", "sub_event_type", "id"}
	r := rand.New(rand.NewPCG(17, 19))
	nonEmpty, long := 0, 0
	for i := range 120 {
		keys := make([]string, 1+r.IntN(3))
		for j := range keys {
			keys[j] = []string{"+", "-"}[r.IntN(2)] + held[r.IntN(len(held))]
		}
		sortby := strings.Join(slices.Compact(keys), ",")
		sort, err := geo.ParseSortBy("sortby", sortby, geo.IncidentQueryables)
		if err != nil {
			continue // a key named twice
		}
		f, p := randomItemsQuery(r)
		p.Sort = sort
		want := pageIDs(t, st.Incidents, f, p)
		got, _, ok := index.Match(f, p)
		if !ok {
			t.Fatalf("query %d: the index refused sortby=%s", i, sortby)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d (sortby=%s, %s, offset %d, limit %d):\nindex   %v\nPostGIS %v",
				i, sortby, describe(f), p.Offset, p.Limit, head(got), head(want))
		}
		if i%4 == 0 { // exports: the index's windows and PostGIS's cursor
			p.Limit, p.Offset = 0, r.IntN(3)*r.IntN(1500)
			want = pageIDs(t, st.Incidents, f, p)
			var windows, cursor []string
			ok, err := index.EachMatch(f, p, 1000, func(ids []string) error { windows = append(windows, ids...); return nil })
			if !ok || err != nil {
				t.Fatalf("export %d: the index refused sortby=%s: %v", i, sortby, err)
			}
			if err := st.EachIncident(ctx, f, p, func(in geo.Incident) error { cursor = append(cursor, in.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(windows, want) || !slices.Equal(cursor, want) {
				t.Fatalf("export %d (sortby=%s, %s, offset %d): one query lists %d, the index's windows %d, the cursor %d",
					i, sortby, describe(f), p.Offset, len(want), len(windows), len(cursor))
			}
			if len(want) > 1000 {
				long++
			}
		}
		if len(got) > 1 {
			nonEmpty++
		}
	}
	// The comparison means little if most pages are empty or no export
	// spans more than one window.
	if nonEmpty < 50 || long < 3 {
		t.Errorf("only %d pages had two incidents or more, %d exports more than one window", nonEmpty, long)
	}

	t.Run("unknown fatalities come last both ways, ties go by id", func(t *testing.T) {
		for _, sortby := range []string{"-fatalities_best", "+fatalities_best"} {
			sort, _ := geo.ParseSortBy("sortby", sortby, geo.IncidentQueryables)
			f := geo.Filter{Countries: []string{"TD"}} // only the tied incidents
			ids, _, _ := index.Match(f, geo.Page{Limit: 100, Sort: sort})
			want := []string{"tie-a", "tie-b", "tie-c", "tie-d"}
			if sortby == "-fatalities_best" {
				want = []string{"tie-c", "tie-a", "tie-b", "tie-d"}
			}
			if !slices.Equal(ids, want) || !slices.Equal(pageIDs(t, st.Incidents, f, geo.Page{Limit: 100, Sort: sort}), want) {
				t.Errorf("sortby=%s: the index lists %v, want %v", sortby, ids, want)
			}
		}
	})

	t.Run("orders on keys the index does not hold are PostGIS's", func(t *testing.T) {
		for _, sortby := range []string{"title", "-updated_at", "starts_at,location"} {
			sort, _ := geo.ParseSortBy("sortby", sortby, geo.IncidentQueryables)
			if _, _, ok := index.Match(geo.Filter{}, geo.Page{Limit: 10, Sort: sort}); ok {
				t.Errorf("the index answered sortby=%s", sortby)
			}
		}
	})
}

// tiesSeq is a GeoJSONSeq of four incidents in Chad (which no other
// incident is in) that tie on every key but the id and fatalities_best:
// 5, 5, 9 and none.
var tiesSeq = func() string {
	var b strings.Builder
	for id, best := range map[string]string{"tie-a": "5", "tie-b": "5", "tie-c": "9", "tie-d": "null"} {
		fmt.Fprintf(&b, "\x1e"+`{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[15.05,12.11]},`+
			`"properties":{"title":"Tie","location":"N'Djamena","country":"TD","event_type":"battles",`+
			`"sub_event_type":"armed_clash","starts_at":"2022-03-01T00:00:00Z","ends_at":"2022-03-02T00:00:00Z",`+
			`"date_precision":"day","geo_precision":"exact","fatalities_best":%s,`+
			`"sources":[{"url":"https://example.org/%s","publisher":"Test"}]}}`+"\n", id, best, id)
	}
	return b.String()
}()

// pageIDs lists the ids of page p of the matches of f, as read answers.
func pageIDs(t *testing.T, read func(context.Context, geo.Filter, geo.Page) ([]geo.Incident, error),
	f geo.Filter, p geo.Page) []string {
	t.Helper()
	list, err := read(context.Background(), f, p)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	return ids
}

func head(ids []string) string {
	if len(ids) > 12 {
		return fmt.Sprintf("%v ... (%d)", ids[:12], len(ids))
	}
	return fmt.Sprint(ids)
}
