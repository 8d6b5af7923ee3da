package store_test

import (
	"context"
	"strings"
	"testing"

	"incidentmap/geo"
	"incidentmap/store"
)

// Origin names one point of the change log of one database: the same name
// while that change is in the log, another name in another database or at
// another point, none before the first change.
func TestOriginNamesTheDatabaseAndTheChange(t *testing.T) {
	ctx := context.Background()
	oneWrite := func() *store.Store {
		st, _ := openImportStore(t)
		in := testIncident("origin-1", -4, 14, "2022-03-27", "2022-03-31")
		if _, err := st.WriteIncident(ctx, &in, geo.Write{Author: "test"}); err != nil {
			t.Fatal(err)
		}
		return st
	}
	origin := func(st *store.Store, seq int64) string {
		name, err := st.Origin(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	st, other := oneWrite(), oneWrite()
	last, err := st.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	here := origin(st, last)
	if here == "" || !strings.Contains(here, "origin-1") || origin(st, last) != here {
		t.Errorf("origin of change %d: %q, then %q", last, here, origin(st, last))
	}
	if elsewhere := origin(other, last); elsewhere == here || elsewhere == "" {
		t.Errorf("the same change in another database: %q, here %q", elsewhere, here)
	}
	if later := origin(st, last+1); later == here || later == "" {
		t.Errorf("a later point: %q, here %q", later, here)
	}
	if none := origin(st, 0); none != "" {
		t.Errorf("before the first change: %q", none)
	}
}
