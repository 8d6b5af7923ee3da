package geo

import (
	"slices"
	"time"
)

// Filter selects incidents. The zero Filter selects every published incident.
// Within one field, values are alternatives (OR); fields combine with AND.
type Filter struct {
	Time          Interval
	BBox          *BBox
	EventTypes    []string
	SubEventTypes []string
	Countries     []string   // ISO 3166-1 alpha-2, upper case
	Admin1        []string   // accent- and case-insensitive
	Actors        []string   // accent- and case-insensitive substrings of any actor
	MinFatalities *int       // fatalities_best at least this
	Query         string     // accent- and case-insensitive text in title, summary, location, actors
	Statuses      []string   // empty: published only; others only for token holders
	AsOf          *time.Time // the data as it was at this instant (nil: now)
	CQL           Expression // a CQL2 filter (filter, filter-lang), ANDed with the rest; nil: none
}

// Expression is a parsed, checked CQL2 filter (OGC API Features Part 3).
// Package cql2 makes them (*cql2.Filter) and compiles them for PostGIS and
// for the tile index; geo only carries one, so that it need not import
// cql2 (which imports geo). Text is the expression's canonical cql2-text:
// one spelling per filter, whichever language it came in, for cache keys,
// entity tags and URLs.
type Expression interface {
	Text() string
}

// Page is a window into an ordered result: Limit items after Offset.
// Limit 0 means no limit (full exports). Sort is the order (see
// ParseSortBy), ending with id; nil is the collection's default order
// (IncidentOrder for incidents).
type Page struct {
	Limit  int
	Offset int
	Sort   []SortKey
}

// Sorted reports whether p asks for an order other than def.
func (p Page) Sorted(def []SortKey) bool {
	return p.Sort != nil && !slices.Equal(p.Sort, def)
}

// Default and maximum page sizes of /items.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// PlaceFilter selects places of the gazetteer.
type PlaceFilter struct {
	BBox      *BBox
	Countries []string
	Kinds     []string
	Query     string // accent- and case-insensitive substring of a name or alternative name
}

// Extent is the spatial and temporal reach of a collection. Empty collections
// have a nil BBox and nil times.
type Extent struct {
	BBox       *BBox
	Start, End *time.Time
}
