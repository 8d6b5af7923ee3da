// Package cql2 parses OGC CQL2 filters (OGC 21-065r2), in cql2-text and
// cql2-json, into one typed expression tree checked against a list of
// queryables (Parse). Two back ends read the tree: ToSQL compiles it into a
// parameterised WHERE fragment for PostGIS, and Predicate into a Go
// function over any record through Accessors (IncidentAccessors,
// SummaryAccessors); Covered says whether a set of accessors (what the tile
// index holds, say) can answer an expression alone.
//
// Every refusal is a *geo.Error with Code geo.EInvalid and Param "filter"
// ("filter-lang", "filter-crs" for those parameters) whose message says what
// is wrong and where: a byte offset in cql2-text, a JSON path in cql2-json.
// No input makes Parse panic, and its work is bounded by the limits in
// limits.go.
package cql2
