package tiles_test

import (
	"context"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/cql2"
	"incidentmap/geo"
	"incidentmap/internal/testenv/testapp"
	"incidentmap/tiles"
)

// cqlFilter parses a cql2-text filter into a geo.Filter, as the server does.
func cqlFilter(t *testing.T, text string) geo.Filter {
	t.Helper()
	f, err := cql2.ParseParams(text, "", "", true, cql2.IncidentQueryables)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return geo.Filter{CQL: f}
}

// coveredFilters are CQL2 filters on what the index holds whole: the index
// answers them in memory.
var coveredFilters = []string{
	`event_type = 'battles' AND fatalities_best > 10`,
	`country IN ('ML', 'BF') AND starts_at >= TIMESTAMP('2023-01-01T00:00:00Z')`,
	`S_INTERSECTS(geometry, POLYGON((-5 12, 0 12, 0 16, -5 16, -5 12)))`,
	`S_WITHIN(geometry, BBOX(-4.5, 14, -0.5, 16.5)) AND NOT event_type = 'protests'`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-03-01', '2022-03-31'))`,
	`T_BEFORE(INTERVAL(starts_at, ends_at), DATE('2016-01-01')) OR fatalities_best IS NULL`,
	`sub_event_type LIKE '%attack%' OR fatalities_best BETWEEN 1 AND 3`,
	`id LIKE 'test-%' OR geo_precision IN ('admin1', 'region')`,
	`fatalities_best * 2 >= 40 AND ends_at < TIMESTAMP('2024-01-01T00:00:00Z')`,
	`event_type IN ('battles', 'riots') AND fatalities_best >= 2.5 AND country = 'ML' AND (fatalities_best < 9 OR id > 'm')`,
	`fatalities_best > -3.5 AND country = 'BF'`,
	// Lowered to the index's window and boxes (see lowerTime, lowerArea).
	`S_INTERSECTS(geometry, POLYGON((-6 8, 6 8, 6 20, -6 20, -6 8))) AND ` +
		`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2016-01-01', '2022-12-31'))`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-03-15T00:00:00Z', '..')) AND event_type = 'battles'`,
	`T_INTERSECTS(INTERVAL('..', '2022-03-10'), INTERVAL(starts_at, ends_at))`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), DATE('2022-03-05')) OR country = 'BF'`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), TIMESTAMP('2022-03-05T12:00:00Z')) AND ` +
		`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-01-01', '2022-12-31'))`,
	`S_INTERSECTS(geometry, BBOX(-3, 12.5, 1, 15)) AND fatalities_best >= 1`,
	`S_INTERSECTS(ENVELOPE(-4, -1, 16.2, 13), geometry)`,
	`S_INTERSECTS(geometry, POLYGON((-5 11, 2 11, -1 17, -5 11)))`,
	`S_INTERSECTS(geometry, BBOX(-4, 13, -1, 16)) AND S_INTERSECTS(geometry, POLYGON((-5 12, 0 12, 0 16, -5 16, -5 12)))`,
}

// uncoveredFilters name what the index cuts short or lacks: PostGIS answers.
var uncoveredFilters = []string{
	`title LIKE '%Mopti%'`,
	`admin1 = 'Mopti' AND event_type = 'battles'`,
	`status = 'published' AND fatalities_best > 20`,
	`location LIKE 'M%' OR summary LIKE '%killed%'`,
	`admin2 IS NOT NULL AND fatalities_high > 50`,
}

// The index answers covered CQL2 filters with the same items, in the same
// order, as PostGIS, and the same tiles as PostGIS builds.
func TestCoveredFiltersGiveTheAnswersOfPostGIS(t *testing.T) {
	ctx := context.Background()
	st, index := loadedIndex(t, "9")
	fromDatabase := loadedTiles(t, st, tiles.Options{}) // statuses are not in the cache key
	places := []orb.Point{testapp.Moura, {-1.5, 12.4}, {2.1, 13.5}, {-4, 16}}
	for _, text := range coveredFilters {
		f := cqlFilter(t, text)
		if index.NeedsDatabase(f) {
			t.Fatalf("%s: the index must answer it", text)
		}
		got, gotN, ok := index.Match(f, geo.Page{})
		if !ok {
			t.Fatalf("%s: the index refused it", text)
		}
		page, err := st.Incidents(ctx, f, geo.Page{})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(page))
		for i, in := range page {
			want[i] = in.ID
		}
		if !slices.Equal(got, want) || gotN != len(want) {
			t.Errorf("%s: the index matched %d, PostGIS %d", text, gotN, len(want))
		}
		if len(want) == 0 {
			t.Errorf("%s: matches nothing, which proves little", text)
		}
		viaDB := f
		viaDB.Statuses = []string{geo.StatusPublished}
		for _, p := range places {
			for z := maptile.Zoom(2); z <= 12; z += 5 {
				tile := maptile.At(p, z)
				if w, g := tileFeatures(t, index, tile, f), tileFeatures(t, fromDatabase, tile, viaDB); !slices.Equal(g, w) {
					t.Errorf("%s, tile %d/%d/%d: PostGIS built %d features, the index %d:\n%s",
						text, z, tile.X, tile.Y, len(g), len(w), featureDiff(g, w))
				}
			}
		}
	}
}

// Filters on what the index does not hold go to PostGIS, which selects the
// incidents cql2's Go predicate selects over whole incidents.
func TestUncoveredFiltersGoToPostGIS(t *testing.T) {
	ctx := context.Background()
	st, index := loadedIndex(t, "3")
	var all []geo.Incident
	err := st.EachIncident(ctx, geo.Filter{Statuses: geo.Statuses}, geo.Page{}, func(in geo.Incident) error {
		all = append(all, in)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"S_TOUCHES(geometry, BBOX(-3, 14, -1, 16))", "S_CROSSES(geometry, LINESTRING(-5 14, 0 14))"} {
		if f := cqlFilter(t, text); !index.NeedsDatabase(f) {
			t.Errorf("%s: the index claims a function only PostGIS evaluates", text)
		}
	}
	for _, text := range uncoveredFilters {
		f := cqlFilter(t, text)
		if !index.NeedsDatabase(f) {
			t.Errorf("%s: the index claims it, but does not hold what it names", text)
		}
		if _, _, ok := index.Match(f, geo.Page{Limit: 10}); ok {
			t.Errorf("%s: the index answered items", text)
		}
		pred, err := cql2.Predicate(f.CQL.(*cql2.Filter).Expr, cql2.IncidentAccessors)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := range all {
			if all[i].Status == geo.StatusPublished && pred(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		page, err := st.Incidents(ctx, f, geo.Page{})
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		var got []string
		for _, in := range page {
			got = append(got, in.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: PostGIS matched %d, the predicate %d", text, len(got), len(want))
		}
		if len(want) == 0 {
			t.Errorf("%s: matches nothing, which proves little", text)
		}
		// Its tiles are built by PostGIS, and hold only its matches.
		tile := maptile.At(testapp.Moura, 3)
		_ = tileFeatures(t, index, tile, f)
	}
}
