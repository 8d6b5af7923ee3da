package store

import (
	"testing"

	"incidentmap/geo"
)

// Every property sortby accepts has its SQL expression, and nothing else.
func TestEverySortableQueryableHasAColumn(t *testing.T) {
	sortable := geo.SortableNames(geo.IncidentQueryables)
	for _, name := range sortable {
		if _, ok := sortColumns[name]; !ok {
			t.Errorf("%s is sortable but has no column", name)
		}
	}
	if len(sortColumns) != len(sortable) {
		t.Errorf("%d columns for %d sortable properties", len(sortColumns), len(sortable))
	}
}
