// Package cql2 parses OGC CQL2 filters (OGC 21-065r2), in cql2-text and
// cql2-json, into one typed expression tree, checked against a list of
// queryables. Two back ends read the tree: ToSQL compiles it into a
// parameterised WHERE fragment for PostGIS, and Predicate into a Go function
// over an incident's summary; InMemory says whether the summary alone can
// answer an expression.
//
// Every failure is a *geo.Error with Code geo.EInvalid and Param "filter"
// whose message says what is wrong and where (a byte offset in cql2-text, a
// JSON path in cql2-json). No input makes Parse panic, and its work is
// bounded by the limits in limits.go.
package cql2
