package server

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// cql2Params are the CQL2 filter parameters (OGC API Features Part 3) that
// the pages (/, /embed, /style.json, /oembed's URLs) and /map.png take and
// carry like the other filters.
var cql2Params = []string{"filter", "filter-lang", "filter-crs"}

// incidentCQL2 are the incident queryables as the CQL2 parser types them.
var incidentCQL2 = cql2Queryables()

// cql2Queryables types each of geo.IncidentQueryables for cql2.Parse: date-
// times are timestamps, geometry-* formats geometries, arrays of strings
// string arrays.
func cql2Queryables() cql2.Queryables {
	q := cql2.Queryables{}
	for _, p := range geo.IncidentQueryables {
		switch {
		case strings.HasPrefix(p.Format, "geometry"):
			q[p.Name] = cql2.Geometry
		case p.Format == "date-time":
			q[p.Name] = cql2.Timestamp
		case p.Type == "integer":
			q[p.Name] = cql2.Integer
		case p.Type == "number":
			q[p.Name] = cql2.Number
		case p.Type == "array" && p.Items == "string":
			q[p.Name] = cql2.StringArray
		case p.Type == "string":
			q[p.Name] = cql2.String
		}
	}
	return q
}

// parseCQL2 reads filter, filter-lang and filter-crs: the checked
// expression, or nil without a filter. A malformed one is an EInvalid
// *geo.Error naming the parameter at fault.
func parseCQL2(q url.Values) (cql2.Expr, error) {
	if err := cql2.CheckCRS(q.Get("filter-crs")); err != nil {
		return nil, err
	}
	if !q.Has("filter") {
		if lang := q.Get("filter-lang"); q.Has("filter-lang") && lang != cql2.LangText && lang != cql2.LangJSON {
			return nil, geo.Invalid("filter-lang", "%q is not a filter language (%s, %s)", safe(lang), cql2.LangText, cql2.LangJSON)
		}
		return nil, nil
	}
	return cql2.Parse(q.Get("filter"), q.Get("filter-lang"), incidentCQL2)
}

// mapAccessors are the queryables a static map can filter on: what its
// summaries hold whole (the tile index cuts titles and locations short).
var mapAccessors = func() cql2.Accessors[*geo.Summary] {
	acc := cql2.Accessors[*geo.Summary]{}
	for name, get := range cql2.SummaryAccessors {
		if name != "title" && name != "location" {
			acc[name] = get
		}
	}
	return acc
}()

// mapPredicate is the test a static map puts each summary to before it
// draws it: always true without a filter. A filter on a property the
// summaries do not hold is refused (EInvalid, "filter"), naming it.
func mapPredicate(e cql2.Expr) (func(*geo.Summary) bool, error) {
	if e == nil {
		return func(*geo.Summary) bool { return true }, nil
	}
	if !cql2.Covered(e, mapAccessors) {
		var missing []string
		for _, p := range cql2.Properties(e) {
			if _, ok := mapAccessors[p]; !ok {
				missing = append(missing, p)
			}
		}
		names := slices.Sorted(maps.Keys(mapAccessors))
		return nil, geo.Invalid("filter", "a map cannot filter on %s yet: maps filter on %s",
			strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	return cql2.Predicate(e, mapAccessors)
}
