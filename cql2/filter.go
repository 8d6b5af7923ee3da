package cql2

import (
	"fmt"

	"incidentmap/geo"
)

// Filter is a parsed filter as geo.Filter carries it (its CQL field): the
// checked tree and its canonical text, computed once. It satisfies
// geo.Expression.
type Filter struct {
	Expr Expr
	text string
}

// NewFilter wraps a tree that Parse returned.
func NewFilter(e Expr) *Filter { return &Filter{Expr: e, text: Text(e)} }

// Text is the canonical cql2-text of the filter (see Text).
func (f *Filter) Text() string { return f.text }

// Of returns the tree a geo.Expression carries, or nil for nil. Every
// geo.Expression in the program is a *Filter; another type is a wiring
// bug, reported as an error rather than ignored, so that a filter is never
// silently dropped.
func Of(x geo.Expression) (Expr, error) {
	switch x := x.(type) {
	case nil:
		return nil, nil
	case *Filter:
		return x.Expr, nil
	}
	return nil, fmt.Errorf("cql2: %T is not a *cql2.Filter", x)
}

// ParseParams reads the three parameters of OGC API Features Part 3 as a
// request gives them: filter (empty: no filter), filter-lang ("" means
// cql2-text) and filter-crs ("" means CRS84). It returns nil without a
// filter, and refuses filter-lang or filter-crs without one. Refusals are
// EInvalid *geo.Errors naming the parameter.
func ParseParams(filter, lang, crs string, hasFilter bool, q Queryables) (*Filter, error) {
	if err := CheckCRS(crs); err != nil {
		return nil, err
	}
	if !hasFilter {
		if lang != "" {
			return nil, geo.Invalid("filter-lang", "is given without a filter")
		}
		if crs != "" {
			return nil, geo.Invalid("filter-crs", "is given without a filter")
		}
		return nil, nil
	}
	e, err := Parse(filter, lang, q)
	if err != nil {
		return nil, err
	}
	return NewFilter(e), nil
}

// IncidentQueryables are the properties an incident filter may name: those
// of geo.IncidentQueryables, typed from their JSON Schema, so that the
// queryables the API publishes and those a filter accepts are one list.
var IncidentQueryables = QueryablesOf(geo.IncidentQueryables)

// QueryablesOf types each queryable of list from its JSON Schema: a
// date-time string is a Timestamp, a date a Date, a geometry-* format a
// Geometry, an array of strings a StringArray; integer, number, boolean
// and string as named. A queryable of another schema is left out.
func QueryablesOf(list []geo.Queryable) Queryables {
	out := Queryables{}
	for _, q := range list {
		if t := typeOf(q); t != Invalid {
			out[q.Name] = t
		}
	}
	return out
}

func typeOf(q geo.Queryable) Type {
	switch {
	case len(q.Format) > len("geometry-") && q.Format[:len("geometry-")] == "geometry-":
		return Geometry
	case q.Type == "string" && q.Format == "date-time":
		return Timestamp
	case q.Type == "string" && q.Format == "date":
		return Date
	case q.Type == "string":
		return String
	case q.Type == "integer":
		return Integer
	case q.Type == "number":
		return Number
	case q.Type == "boolean":
		return Boolean
	case q.Type == "array" && q.Items == "string":
		return StringArray
	}
	return Invalid
}
