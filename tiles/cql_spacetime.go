package tiles

import (
	"math"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/cql2"
)

// area is a top-level S_INTERSECTS(geometry, literal) term of a CQL2
// filter, lowered for the index: a point outside the literal's bounding
// boxes fails at the cost of four comparisons.
type area struct {
	bounds []orb.Bound    // the literal's bounding boxes
	boxes  []worldBox     // bounds in world coordinates
	exact  bool           // the literal is the union of boxes: a point in one intersects it
	term   func(row) bool // the term itself: for lines and areas, and for points in a box unless exact
}

// holds reports whether incident i of ix passes the term. A point is
// compared in world coordinates, within a centimetre of its stored place.
func (a *area) holds(ix *index, i int) bool {
	if b, isShape := ix.shapeBound(i); isShape {
		return a.holdsShape(b, row{ix, i})
	}
	if !inAnyBox(a.boxes, ix.x[i], ix.y[i]) {
		return false
	}
	return a.exact || a.term(row{ix, i})
}

// holdsShape reports whether line or area r, of bounds b, passes: not when
// b meets no bounds of the literal; yes when one of them, a rectangle,
// holds b whole; the term decides the rest.
func (a *area) holdsShape(b orb.Bound, r row) bool {
	meets := false
	for _, lb := range a.bounds {
		if a.exact && lb.Contains(b.Min) && lb.Contains(b.Max) {
			return true
		}
		meets = meets || lb.Intersects(b)
	}
	return meets && a.term(r)
}

// inAnyBox reports whether world point x, y is inside one of boxes, edges
// included.
func inAnyBox(boxes []worldBox, x, y uint32) bool {
	for _, b := range boxes {
		if x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1 {
			return true
		}
	}
	return false
}

// lowerArea reads S_INTERSECTS(geometry, literal), either way round, into
// an area; nil when term is not that.
func lowerArea(term cql2.Expr) *area {
	s, ok := term.(*cql2.Spatial)
	if !ok || s.Op != "s_intersects" {
		return nil
	}
	lit, ok := geometryOperand(s.Left, s.Right)
	if !ok {
		if lit, ok = geometryOperand(s.Right, s.Left); !ok {
			return nil
		}
	}
	pred, err := cql2.Predicate(term, rowAccessors)
	if err != nil {
		return nil
	}
	a := &area{term: pred, exact: true}
	var bounds []orb.Bound
	switch g := lit.G.(type) {
	case orb.Polygon:
		bounds, a.exact = []orb.Bound{g.Bound()}, rectangle(g)
	case orb.MultiPolygon:
		for _, p := range g {
			bounds = append(bounds, p.Bound())
			a.exact = a.exact && rectangle(p)
		}
	default:
		bounds, a.exact = []orb.Bound{lit.G.Bound()}, false
	}
	a.bounds = bounds
	for _, b := range bounds {
		x0, y1 := worldXY(b.Min) // south-west: y is south-down
		x1, y0 := worldXY(b.Max)
		if !a.exact { // a prefilter must not lose a point the term keeps
			x0, y0 = max(x0, 1)-1, max(y0, 1)-1
			x1, y1 = min(x1, math.MaxUint32-1)+1, min(y1, math.MaxUint32-1)+1
		}
		a.boxes = append(a.boxes, worldBox{x0, y0, x1, y1})
	}
	return a
}

// geometryOperand reads the property geometry in p and a literal in l.
func geometryOperand(p, l cql2.Expr) (*cql2.GeometryLiteral, bool) {
	prop, isProp := p.(*cql2.Property)
	lit, isLit := l.(*cql2.GeometryLiteral)
	return lit, isProp && prop.Name == "geometry" && isLit
}

// rectangle reports whether p is an axis-aligned rectangle of some area:
// one ring of four distinct corners of its bounds, each edge along an axis.
func rectangle(p orb.Polygon) bool {
	if len(p) != 1 || len(p[0]) != 5 || p[0][0] != p[0][4] {
		return false
	}
	b, r := p.Bound(), p[0]
	if b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1] || r[0] == r[2] || r[1] == r[3] {
		return false
	}
	for k := range 4 {
		a, c := r[k], r[k+1]
		if (a[0] != b.Min[0] && a[0] != b.Max[0]) || (a[1] != b.Min[1] && a[1] != b.Max[1]) {
			return false // not a corner
		}
		if (a[0] == c[0]) == (a[1] == c[1]) {
			return false // not along one axis
		}
	}
	return true
}

// lowerTime reads T_INTERSECTS(INTERVAL(starts_at, ends_at), literal), the
// literal an instant or an interval of literal or open ends, into the
// first and last instants of the literal in unix microseconds (a date is
// its whole day; an open end is math.MinInt64 or math.MaxInt64), as cql2's
// predicate reads it. An incident passes when it starts no later than the
// last instant and ends no earlier than the first.
func lowerTime(term cql2.Expr) (first, last int64, ok bool) {
	t, isTemporal := term.(*cql2.Temporal)
	if !isTemporal || t.Op != "t_intersects" {
		return 0, 0, false
	}
	other := t.Right
	if !incidentSpan(t.Left) {
		if other = t.Left; !incidentSpan(t.Right) {
			return 0, 0, false
		}
	}
	start, end := other, other
	if iv, isInterval := other.(*cql2.IntervalExpr); isInterval {
		start, end = iv.Start, iv.End
	}
	first, ok1 := instant(start, math.MinInt64, false)
	last, ok2 := instant(end, math.MaxInt64, true)
	return first, last, ok1 && ok2
}

// incidentSpan reports whether e is INTERVAL(starts_at, ends_at).
func incidentSpan(e cql2.Expr) bool {
	iv, ok := e.(*cql2.IntervalExpr)
	if !ok {
		return false
	}
	s, ok1 := iv.Start.(*cql2.Property)
	en, ok2 := iv.End.(*cql2.Property)
	return ok1 && ok2 && s.Name == "starts_at" && en.Name == "ends_at"
}

// instant reads a literal end of an extent in unix microseconds: open (nil)
// is open; a date at the end is its last microsecond.
func instant(e cql2.Expr, open int64, isEnd bool) (int64, bool) {
	if e == nil {
		return open, true
	}
	l, ok := e.(*cql2.Literal)
	if !ok || (l.T != cql2.Timestamp && l.T != cql2.Date) {
		return 0, false
	}
	if l.T == cql2.Date && isEnd {
		return l.Time.Add(24*time.Hour - time.Microsecond).UnixMicro(), true
	}
	return l.Time.UnixMicro(), true
}
