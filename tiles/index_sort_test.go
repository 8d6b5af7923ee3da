package tiles_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"incidentmap/geo"
)

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
