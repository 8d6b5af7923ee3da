package geo

import (
	"slices"
	"testing"
)

func TestParseSortByEndsWithTheID(t *testing.T) {
	asc := func(p string) SortKey { return SortKey{Property: p} }
	desc := func(p string) SortKey { return SortKey{Property: p, Descending: true} }
	for value, want := range map[string][]SortKey{
		"starts_at":                  {asc("starts_at"), asc("id")},
		"+starts_at":                 {asc("starts_at"), asc("id")},
		" starts_at":                 {asc("starts_at"), asc("id")}, // a "+" decoded from a URL
		"-fatalities_best, country":  {desc("fatalities_best"), asc("country"), asc("id")},
		"-id":                        {desc("id")},
		"title,-id,country":          {asc("title"), desc("id")}, // nothing after the id can decide
		"event_type,ends_at,-title,": nil,                        // an empty key
	} {
		got, err := ParseSortBy("sortby", value, IncidentQueryables)
		if want == nil {
			if err == nil || ErrorCode(err) != EInvalid {
				t.Errorf("%q: %v, %v; want an EInvalid error", value, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v, %v; want %v", value, got, err, want)
		}
	}
}

func TestSortableQueryablesHaveAScalarType(t *testing.T) {
	for _, q := range IncidentQueryables {
		if q.Sortable && (q.Type == "array" || q.Type == "") {
			t.Errorf("%s is sortable but has type %q", q.Name, q.Type)
		}
	}
	for _, q := range PlaceQueryables {
		if q.Sortable && (q.Type == "array" || q.Type == "") {
			t.Errorf("place %s is sortable but has type %q", q.Name, q.Type)
		}
	}
}
