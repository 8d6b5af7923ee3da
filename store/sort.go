package store

import (
	"strings"

	"incidentmap/geo"
)

// sortColumns are the SQL expressions of the sortable incident properties
// (geo.IncidentQueryables), and placeSortColumns those of places: sortby
// reaches SQL only through these lists. Text compares byte by byte
// (COLLATE "C"), as the tile index does, so that both give the same order
// whatever the database's collation.
var (
	sortColumns = columns("i", []string{"id", "title", "location", "country", "admin1", "event_type", "sub_event_type"},
		"starts_at", "ends_at", "updated_at", "fatalities_low", "fatalities_best", "fatalities_high")
	placeSortColumns = columns("p", []string{"id", "name", "kind", "country", "admin1"})
)

// columns maps each name to its column of the table aliased alias: the
// text ones with COLLATE "C", the others as they are. Names come from the
// code, never from a request.
func columns(alias string, text []string, others ...string) map[string]string {
	out := map[string]string{}
	for _, name := range text {
		out[name] = alias + "." + name + ` COLLATE "C"`
	}
	for _, name := range others {
		out[name] = alias + "." + name
	}
	return out
}

// placeOrderClause is the ORDER BY of a page of places: name then id, or
// p.Sort.
func placeOrderClause(p geo.Page) (string, error) {
	if !p.Sorted(geo.PlaceOrder) {
		return ` ORDER BY p.name, p.id`, nil
	}
	return sortClause(p.Sort, placeSortColumns)
}

// orderClause is the ORDER BY of page p: the default order (incidentOrder,
// which the (starts_at, id) index serves) or p.Sort, unknown values last in
// both directions (geo.SortKey). A key outside sortColumns is an EInvalid
// error naming sortby.
func orderClause(p geo.Page) (string, error) {
	if !p.Sorted(geo.IncidentOrder) {
		return incidentOrder, nil
	}
	return sortClause(p.Sort, sortColumns)
}

// sortClause is the ORDER BY of keys over columns, unknown values last.
func sortClause(keys []geo.SortKey, columns map[string]string) (string, error) {
	terms := make([]string, len(keys))
	for i, k := range keys {
		col, ok := columns[k.Property]
		if !ok {
			return "", geo.Invalid("sortby", "%q is not a sortable property", k.Property)
		}
		dir := " ASC"
		if k.Descending {
			dir = " DESC"
		}
		terms[i] = col + dir + " NULLS LAST"
	}
	return ` ORDER BY ` + strings.Join(terms, ", "), nil
}
