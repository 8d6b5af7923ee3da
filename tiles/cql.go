package tiles

import (
	"incidentmap/cql2"
	"incidentmap/geo"
)

// row is incident i of an index: the record a CQL2 filter reads when the
// index answers it.
type row struct {
	ix *index
	i  int
}

// rowAccessors read the queryables the index holds whole, straight from
// its columns (no summary is built per candidate). Titles and locations
// are cut short in the index, and it holds no admin1, admin2, actors,
// status, fatalities_low or _high, date_precision, summary or updated_at:
// a filter on any of those is not covered and goes to PostGIS. Positions
// are the index's world coordinates turned back into longitude and
// latitude (within a centimetre of the stored point); lines and areas are
// their whole geometry.
var rowAccessors = cql2.Accessors[row]{
	"id":      func(r row) cql2.Value { return cql2.Value{Str: r.ix.id(r.i)} },
	"country": func(r row) cql2.Value { return cql2.Value{Str: countryOf(r.ix.attrs[r.i].country)} },
	"event_type": func(r row) cql2.Value {
		return cql2.Value{Str: eventTypeList[r.ix.attrs[r.i].eventType]}
	},
	"sub_event_type": func(r row) cql2.Value { return cql2.Value{Str: subTypeList[r.ix.attrs[r.i].subType]} },
	"geo_precision": func(r row) cql2.Value {
		return cql2.Value{Str: geo.GeoPrecisions[r.ix.attrs[r.i].precision]}
	},
	"starts_at": func(r row) cql2.Value { return cql2.Value{Time: r.ix.start[r.i]} },
	"ends_at":   func(r row) cql2.Value { return cql2.Value{Time: r.ix.end[r.i]} },
	"fatalities_best": func(r row) cql2.Value {
		if b := r.ix.best[r.i]; b >= 0 {
			return cql2.Value{Num: float64(b)}
		}
		return cql2.Value{Null: true}
	},
	"geometry": func(r row) cql2.Value {
		if g, ok := r.ix.shapes[int32(r.i)]; ok {
			return cql2.Value{Geom: g}
		}
		return cql2.Value{Geom: lonLat(r.ix.x[r.i], r.ix.y[r.i])}
	},
}

// countryOf is the ISO code that countryCode packed.
func countryOf(c uint16) string {
	if c == 0 {
		return ""
	}
	return string([]byte{byte(c >> 8), byte(c)})
}

// compileCQL compiles the CQL2 filter x for the index. It reports false
// when the index cannot answer it: a property the index does not hold
// whole (see rowAccessors), or an expression that is not a *cql2.Filter.
// A nil x compiles to a nil predicate.
func compileCQL(x geo.Expression) (func(row) bool, bool) {
	e, err := cql2.Of(x)
	if err != nil {
		return nil, false
	}
	if e == nil {
		return nil, true
	}
	if !cql2.Covered(e, rowAccessors) {
		return nil, false
	}
	pred, err := cql2.Predicate(e, rowAccessors)
	return pred, err == nil
}
