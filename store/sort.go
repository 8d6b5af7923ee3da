package store

import (
	"strings"

	"incidentmap/geo"
)

// sortColumns are the SQL expressions of the sortable incident properties
// (geo.IncidentQueryables): sortby reaches SQL only through this list.
// Text compares byte by byte (COLLATE "C"), as the tile index does, so that
// both give the same order whatever the database's collation.
var sortColumns = map[string]string{
	"id":              `i.id COLLATE "C"`,
	"title":           `i.title COLLATE "C"`,
	"location":        `i.location COLLATE "C"`,
	"country":         `i.country COLLATE "C"`,
	"admin1":          `i.admin1 COLLATE "C"`,
	"event_type":      `i.event_type COLLATE "C"`,
	"sub_event_type":  `i.sub_event_type COLLATE "C"`,
	"starts_at":       `i.starts_at`,
	"ends_at":         `i.ends_at`,
	"updated_at":      `i.updated_at`,
	"fatalities_low":  `i.fatalities_low`,
	"fatalities_best": `i.fatalities_best`,
	"fatalities_high": `i.fatalities_high`,
}

// placeSortColumns are the SQL expressions of the sortable place
// properties (geo.PlaceQueryables).
var placeSortColumns = map[string]string{
	"id":      `p.id COLLATE "C"`,
	"name":    `p.name COLLATE "C"`,
	"kind":    `p.kind COLLATE "C"`,
	"country": `p.country COLLATE "C"`,
	"admin1":  `p.admin1 COLLATE "C"`,
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
