package cql2

import (
	"time"

	"github.com/paulmach/orb"
)

// Expr is a node of a checked expression tree. Parse only returns trees
// whose every node has a valid type: a Boolean at the root, numbers under
// arithmetic, geometries under spatial functions, and so on.
type Expr interface {
	// Type is the type the node yields.
	Type() Type
}

// Property is a queryable, named in the filter.
type Property struct {
	Name string
	T    Type
}

// Literal is a string, number, boolean, timestamp or date. Str, Num, Bool or
// Time holds the value, as T says; a date is its UTC midnight.
type Literal struct {
	T    Type
	Str  string
	Num  float64
	Bool bool
	Time time.Time
}

// IntervalExpr is INTERVAL(start, end): each end is an instant (a Literal
// or a Property of type Timestamp or Date), or nil for an open end ('..').
type IntervalExpr struct {
	Start, End Expr
}

// GeometryLiteral is a geometry in CRS84 longitude, latitude: a WKT or
// GeoJSON geometry, or a BBOX (a Polygon, or a MultiPolygon of two boxes when
// it crosses the antimeridian).
type GeometryLiteral struct {
	G orb.Geometry
}

// Binary is an operator or a function of two operands: the part Compare,
// Arith, Spatial and Temporal share.
type Binary struct {
	Op          string
	Left, Right Expr
}

func (b *Binary) operands() []Expr { return []Expr{b.Left, b.Right} }

// Logical is AND or OR ("and", "or") of two or more predicates.
type Logical struct {
	Op   string
	Args []Expr
}

// Not negates a predicate.
type Not struct {
	Arg Expr
}

// Compare is a binary comparison: Op is one of = <> < <= > >=.
type Compare struct {
	Binary
}

// Like is value LIKE pattern, with CQL2's wildcards % and _ and the escape
// character \.
type Like struct {
	Value, Pattern Expr
}

// In is value IN (list...).
type In struct {
	Value Expr
	List  []Expr
}

// Between is value BETWEEN low AND high, both ends included.
type Between struct {
	Value, Low, High Expr
}

// IsNull is value IS NULL.
type IsNull struct {
	Value Expr
}

// Arith is arithmetic on numbers: Op is one of + - * /.
type Arith struct {
	Binary
}

// Spatial is a spatial function: Op is one of s_intersects, s_within,
// s_contains, s_disjoint (lower case).
type Spatial struct {
	Binary
}

// Temporal is a temporal function: Op is one of t_intersects, t_before,
// t_after, t_during, t_disjoint, t_equals, t_contains (lower case). Each
// side is an instant or an interval.
type Temporal struct {
	Binary
}

func (p *Property) Type() Type      { return p.T }
func (l *Literal) Type() Type       { return l.T }
func (*IntervalExpr) Type() Type    { return Interval }
func (*GeometryLiteral) Type() Type { return Geometry }
func (*Logical) Type() Type         { return Boolean }
func (*Not) Type() Type             { return Boolean }
func (*Compare) Type() Type         { return Boolean }
func (*Like) Type() Type            { return Boolean }
func (*In) Type() Type              { return Boolean }
func (*Between) Type() Type         { return Boolean }
func (*IsNull) Type() Type          { return Boolean }
func (*Spatial) Type() Type         { return Boolean }
func (*Temporal) Type() Type        { return Boolean }
func (a *Arith) Type() Type {
	if a.Left.Type() == Integer && a.Right.Type() == Integer && a.Op != "/" {
		return Integer
	}
	return Number
}

// children returns the direct sub-expressions of e (an open interval end is
// left out).
func children(e Expr) []Expr {
	switch e := e.(type) {
	case *IntervalExpr:
		var out []Expr
		for _, c := range []Expr{e.Start, e.End} {
			if c != nil {
				out = append(out, c)
			}
		}
		return out
	case interface{ operands() []Expr }:
		return e.operands()
	case *Logical:
		return e.Args
	case *Not:
		return []Expr{e.Arg}
	case *Like:
		return []Expr{e.Value, e.Pattern}
	case *In:
		return append([]Expr{e.Value}, e.List...)
	case *Between:
		return []Expr{e.Value, e.Low, e.High}
	case *IsNull:
		return []Expr{e.Value}
	}
	return nil
}

// Properties returns the names of the properties e reads, each once, in the
// order they first appear.
func Properties(e Expr) []string {
	var names []string
	seen := map[string]bool{}
	var walk func(Expr)
	walk = func(e Expr) {
		if p, ok := e.(*Property); ok && !seen[p.Name] {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
		for _, c := range children(e) {
			walk(c)
		}
	}
	walk(e)
	return names
}
