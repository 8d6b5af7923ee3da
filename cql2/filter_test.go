package cql2_test

import (
	"errors"
	"testing"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// The queryables a filter accepts are those the API publishes, each with a
// column for PostGIS and an accessor for whole incidents: the two lists
// cannot drift apart.
func TestIncidentQueryablesAreGeos(t *testing.T) {
	if len(cql2.IncidentQueryables) != len(geo.IncidentQueryables) {
		t.Errorf("%d queryables, geo publishes %d", len(cql2.IncidentQueryables), len(geo.IncidentQueryables))
	}
	for _, q := range geo.IncidentQueryables {
		if _, ok := cql2.IncidentQueryables[q.Name]; !ok {
			t.Errorf("%s: published but not accepted by filters", q.Name)
		}
		if _, ok := cql2.IncidentColumns[q.Name]; !ok {
			t.Errorf("%s: no column for PostGIS", q.Name)
		}
		if _, ok := cql2.IncidentAccessors[q.Name]; !ok {
			t.Errorf("%s: no accessor", q.Name)
		}
	}
	want := map[string]cql2.Type{"starts_at": cql2.Timestamp, "fatalities_best": cql2.Integer,
		"actors": cql2.StringArray, "geometry": cql2.Geometry, "event_type": cql2.String}
	for name, typ := range want {
		if got := cql2.IncidentQueryables[name]; got != typ {
			t.Errorf("%s is a %s, want %s", name, got, typ)
		}
	}
}

func TestParseParams(t *testing.T) {
	f, err := cql2.ParseParams(`{"op":"=","args":[{"property":"country"},"ML"]}`, cql2.LangJSON, cql2.CRS84, true,
		cql2.IncidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Text(), `("country" = 'ML')`; got != want {
		t.Errorf("Text = %s, want %s", got, want)
	}
	if e, err := cql2.Of(f); err != nil || e != f.Expr {
		t.Errorf("Of = %v, %v", e, err)
	}
	if f, err := cql2.ParseParams("", "", "", false, cql2.IncidentQueryables); f != nil || err != nil {
		t.Errorf("no filter: %v, %v", f, err)
	}
	for _, c := range []struct {
		filter, lang, crs string
		has               bool
		param             string
	}{
		{"", "cql2-text", "", false, "filter-lang"},
		{"", "", cql2.CRS84, false, "filter-crs"},
		{"country = 'ML'", "", "EPSG:4326", true, "filter-crs"},
		{"country = 'ML'", "ecql", "", true, "filter-lang"},
		{"", "", "", true, "filter"},
		{"nope = 1", "", "", true, "filter"},
	} {
		_, err := cql2.ParseParams(c.filter, c.lang, c.crs, c.has, cql2.IncidentQueryables)
		var ge *geo.Error
		if !errors.As(err, &ge) || ge.Code != geo.EInvalid || ge.Param != c.param {
			t.Errorf("%+v: err = %v, want EInvalid naming %s", c, err, c.param)
		}
	}
}
