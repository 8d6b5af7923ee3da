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
	for _, name := range geo.SortableNames(geo.PlaceQueryables) {
		if _, ok := placeSortColumns[name]; !ok {
			t.Errorf("place %s is sortable but has no column", name)
		}
	}
}
