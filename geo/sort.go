package geo

import (
	"slices"
	"strings"
)

// SortKey is one key of an order: a sortable property, ascending unless
// Descending. Unknown values (a null fatalities figure) come last in both
// directions; text compares byte by byte.
type SortKey struct {
	Property   string
	Descending bool
}

// IncidentOrder is the default order of incident listings: start time,
// then id. Paging and the tile index rely on it.
var IncidentOrder = []SortKey{{Property: "starts_at"}, {Property: "id"}}

// PlaceOrder is the default order of places: name, then id.
var PlaceOrder = []SortKey{{Property: "name"}, {Property: "id"}}

// MaxSortKeys bounds how many keys sortby may name.
const MaxSortKeys = 4

// ParseSortBy reads a sortby value (OGC API Records / STAC syntax): a
// comma-separated list of sortable properties of list, each with an
// optional "+" (ascending, the default) or "-" (descending) in front. A
// "+" that a URL decoded to a space counts as "+". The order returned ends
// with id, so that it is total: id is appended ascending unless named,
// and keys after id are dropped, since they could never decide. Unknown
// and unsortable properties, repeated ones, empty values and more than
// MaxSortKeys keys are EInvalid errors naming param.
func ParseSortBy(param, value string, list []Queryable) ([]SortKey, error) {
	var keys []SortKey
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		k := SortKey{Property: strings.TrimPrefix(part, "+")}
		if rest, ok := strings.CutPrefix(part, "-"); ok {
			k = SortKey{Property: rest, Descending: true}
		}
		if k.Property == "" {
			return nil, Invalid(param, "has an empty key: use +name or -name, separated by commas")
		}
		q, ok := FindQueryable(list, k.Property)
		if !ok || !q.Sortable {
			return nil, Invalid(param, "%q is not a sortable property (sortable: %s)",
				shorten(k.Property), strings.Join(SortableNames(list), ", "))
		}
		if slices.ContainsFunc(keys, func(o SortKey) bool { return o.Property == k.Property }) {
			return nil, Invalid(param, "names %q twice", k.Property)
		}
		if keys = append(keys, k); len(keys) > MaxSortKeys {
			return nil, Invalid(param, "has more than %d keys", MaxSortKeys)
		}
	}
	if i := slices.IndexFunc(keys, func(k SortKey) bool { return k.Property == "id" }); i >= 0 {
		return keys[:i+1], nil
	}
	return append(keys, SortKey{Property: "id"}), nil
}

// shorten cuts a value for an error message.
func shorten(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
