package server

import (
	"testing"

	"incidentmap/cql2"
	"incidentmap/geo"
)

func TestCQL2QueryablesTypeEveryIncidentQueryable(t *testing.T) {
	q := cql2Queryables()
	for _, p := range geo.IncidentQueryables {
		if q[p.Name] == cql2.Invalid {
			t.Errorf("%s (type %q, format %q) has no CQL2 type", p.Name, p.Type, p.Format)
		}
	}
	if len(q) != len(geo.IncidentQueryables) {
		t.Errorf("%d CQL2 queryables for %d incident queryables", len(q), len(geo.IncidentQueryables))
	}
}
