package cql2

import (
	"strings"

	"incidentmap/geo"
)

// Languages of the filter-lang parameter.
const (
	LangText = "cql2-text"
	LangJSON = "cql2-json"
)

// CRS84 is the only filter-crs accepted.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Parse parses filter, written in lang (LangText or LangJSON; "" means
// LangText), into a checked tree whose properties are all in q. Any failure
// is an EInvalid *geo.Error: Param "filter-lang" for an unknown language,
// "filter" for anything wrong with the filter itself.
func Parse(filter, lang string, q Queryables) (Expr, error) {
	if len(filter) > MaxLength {
		return nil, geo.Invalid("filter", "is %d bytes long; at most %d are allowed", len(filter), MaxLength)
	}
	if strings.TrimSpace(filter) == "" {
		return nil, geo.Invalid("filter", "is empty")
	}
	switch lang {
	case "", LangText:
		return parseText(filter, q)
	case LangJSON:
		return parseJSON(filter, q)
	}
	return nil, geo.Invalid("filter-lang", "unknown language %q: use %s or %s", lang, LangText, LangJSON)
}

// CheckCRS accepts an empty filter-crs or CRS84 and refuses anything else
// (EInvalid, Param "filter-crs").
func CheckCRS(crs string) error {
	if crs == "" || crs == CRS84 {
		return nil
	}
	return geo.Invalid("filter-crs", "%q is not supported: coordinates in filters are in %s", crs, CRS84)
}
