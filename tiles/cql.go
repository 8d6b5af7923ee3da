package tiles

import (
	"math"
	"slices"

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

// compileCQL compiles the CQL2 filter x for the index into m. It reports
// false when the index cannot answer it: a property the index does not
// hold whole (see rowAccessors), or an expression that is not a
// *cql2.Filter. Terms of a top-level AND that m's own fields express
// (event_type = or IN, country = or IN, fatalities_best > or >=,
// T_INTERSECTS of the incident's span with literal times, see lowerTime)
// become those fields, which cost a tile almost nothing; one
// S_INTERSECTS(geometry, literal) becomes m.area (see lowerArea); the rest
// becomes m.cql, a predicate evaluated per candidate after every cheaper
// test.
func compileCQL(x geo.Expression, m *memFilter) bool {
	e, err := cql2.Of(x)
	if err != nil {
		return false
	}
	if e == nil {
		return true
	}
	if !cql2.Covered(e, rowAccessors) {
		return false
	}
	var rest []cql2.Expr
	for _, term := range conjuncts(e) {
		if !m.lower(term) {
			rest = append(rest, term)
		}
	}
	switch len(rest) {
	case 0:
		return true
	case 1:
		e = rest[0]
	default:
		e = &cql2.Logical{Op: "and", Args: rest}
	}
	pred, err := cql2.Predicate(e, rowAccessors)
	m.cql = pred
	return err == nil
}

// conjuncts lists the terms of e's top-level ANDs (e alone otherwise).
func conjuncts(e cql2.Expr) []cql2.Expr {
	l, ok := e.(*cql2.Logical)
	if !ok || l.Op != "and" {
		return []cql2.Expr{e}
	}
	var out []cql2.Expr
	for _, a := range l.Args {
		out = append(out, conjuncts(a)...)
	}
	return out
}

// lower sets the field of m that expresses term, when there is one and
// it is not set yet, and reports whether it did. A null toll fails a
// minimum, as it fails the comparison.
func (m *memFilter) lower(term cql2.Expr) bool {
	if first, last, ok := lowerTime(term); ok {
		if last < math.MaxInt64 {
			last++ // the window's end is past its last instant
		}
		m.window.Start, m.window.End = max(m.window.Start, first), min(m.window.End, last)
		return true
	}
	if m.area == nil {
		if m.area = lowerArea(term); m.area != nil {
			return true
		}
	}
	name, values, ok := propertyEquals(term)
	switch {
	case ok && name == "event_type" && m.eventTypes == 0:
		var bits uint8
		for _, v := range values {
			i := slices.Index(eventTypeList, v)
			if i < 0 {
				return false // an unknown type: the predicate selects nothing
			}
			bits |= 1 << i
		}
		m.eventTypes = bits
		return true
	case ok && name == "country" && len(m.countries) == 0:
		for _, v := range values {
			m.countries = append(m.countries, countryCode(v))
		}
		return true
	}
	c, isCompare := term.(*cql2.Compare)
	if !isCompare || (c.Op != ">" && c.Op != ">=") {
		return false
	}
	p, isProp := c.Left.(*cql2.Property)
	lit, isLit := c.Right.(*cql2.Literal)
	if !isProp || p.Name != "fatalities_best" || !isLit || (lit.T != cql2.Integer && lit.T != cql2.Number) {
		return false
	}
	least := math.Ceil(lit.Num)
	if c.Op == ">" {
		least = math.Floor(lit.Num) + 1
	}
	if least > math.MaxInt32 || math.IsNaN(least) {
		return false
	}
	m.minBest = max(m.minBest, int32(max(least, 0)))
	return true
}

// propertyEquals reads "property = 'string'" and "property IN ('string',
// ...)" into the property's name and the strings.
func propertyEquals(term cql2.Expr) (string, []string, bool) {
	var prop, lits []cql2.Expr
	switch t := term.(type) {
	case *cql2.Compare:
		if t.Op != "=" {
			return "", nil, false
		}
		prop, lits = []cql2.Expr{t.Left}, []cql2.Expr{t.Right}
	case *cql2.In:
		prop, lits = []cql2.Expr{t.Value}, t.List
	default:
		return "", nil, false
	}
	p, ok := prop[0].(*cql2.Property)
	if !ok || len(lits) == 0 {
		return "", nil, false
	}
	values := make([]string, len(lits))
	for i, l := range lits {
		lit, ok := l.(*cql2.Literal)
		if !ok || lit.T != cql2.String {
			return "", nil, false
		}
		values[i] = lit.Str
	}
	return p.Name, values, true
}
