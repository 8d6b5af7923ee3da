package main

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"incidentmap/geo"
)

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
