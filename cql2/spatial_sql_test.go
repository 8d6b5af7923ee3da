package cql2_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lib/pq"

	"incidentmap/cql2"
)

// TestSpatialFunctionsLeftToPostGIS pins the four spatial functions of the
// spatial-functions class that only PostGIS evaluates: they parse in both
// encodings, run in PostgreSQL, select what their DE-9IM relation says, and
// Covered sends any filter using them away from the tile index.
func TestSpatialFunctionsLeftToPostGIS(t *testing.T) {
	a := newAgreement(t, 0)
	var lon, lat float64
	if err := a.db.QueryRow(`SELECT ST_X(geom), ST_Y(geom) FROM incidents WHERE id = 'moura-2022-03'`).
		Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	box := func(w, s, e, n float64) string {
		return fmt.Sprintf("POLYGON((%[1]g %[2]g, %[3]g %[2]g, %[3]g %[4]g, %[1]g %[4]g, %[1]g %[2]g))", w, s, e, n)
	}
	cases := []struct {
		filter    string
		wantMoura bool
	}{
		{fmt.Sprintf("S_EQUALS(geometry, POINT(%g %g))", lon, lat), true},
		{fmt.Sprintf("S_EQUALS(geometry, POINT(%g %g))", lon+0.01, lat), false},
		{"S_TOUCHES(geometry, " + box(lon, lat-1, lon+1, lat+1) + ")", true},    // on the west edge
		{"S_TOUCHES(geometry, " + box(lon-1, lat-1, lon+1, lat+1) + ")", false}, // inside
		{fmt.Sprintf("S_CROSSES(geometry, LINESTRING(%g %g, %g %g))", lon-1, lat, lon+1, lat), false},
		{fmt.Sprintf("S_OVERLAPS(geometry, MULTIPOINT((%g %g), (0 0)))", lon, lat), false},
	}
	for _, op := range []string{"s_equals", "s_touches", "s_overlaps", "s_crosses"} {
		f := `{"op":"` + op + `","args":[{"property":"geometry"},{"type":"Point","coordinates":[1,2]}]}`
		if _, err := cql2.Parse(f, cql2.LangJSON, incidentQueryables); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, c := range cases {
		e, err := cql2.Parse(c.filter, cql2.LangText, incidentQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		if cql2.Covered(e, cql2.IncidentAccessors) {
			t.Errorf("%s: Covered says the index can answer it", c.filter)
		}
		if _, err := cql2.Parse(cql2.Text(e), cql2.LangText, incidentQueryables); err != nil {
			t.Errorf("%s written back as %s: %v", c.filter, cql2.Text(e), err)
		}
		where, args, err := cql2.ToSQL(e, cql2.IncidentColumns, 1)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := a.db.QueryRow(`SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM incidents i WHERE `+where,
			args...).Scan(pq.Array(&ids)); err != nil {
			t.Fatalf("%s: PostgreSQL failed: %v", c.filter, err)
		}
		if got := slices.Contains(ids, "moura-2022-03"); got != c.wantMoura {
			t.Errorf("%s: Moura selected %v, want %v (%d selected)", c.filter, got, c.wantMoura, len(ids))
		}
	}
}
