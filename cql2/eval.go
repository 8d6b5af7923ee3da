package cql2

import (
	"cmp"
	"fmt"

	"github.com/paulmach/orb"
)

// Value is the value of one property of one record: Null, or Str (strings),
// Num (numbers), Time (instants, unix microseconds), Geom (geometries) as
// the property's type says; a boolean is Num 0 or 1. Strs holds an array
// of strings.
type Value struct {
	Null bool
	Str  string
	Num  float64
	Time int64
	Geom orb.Geometry
	Strs []string
}

// Accessors reads the properties of records of type R: one function per
// queryable that a back end can answer.
type Accessors[R any] map[string]func(R) Value

// Covered reports whether acc reads every property of e and Predicate
// evaluates every function of it: whether a store of such records alone
// can answer e (the tile index, say, holds no actors, and leaves
// S_TOUCHES to PostGIS).
func Covered[R any](e Expr, acc Accessors[R]) bool {
	for _, name := range Properties(e) {
		if _, ok := acc[name]; !ok {
			return false
		}
	}
	return inGo(e)
}

// inGo reports whether Predicate can evaluate every function of e.
func inGo(e Expr) bool {
	if s, ok := e.(*Spatial); ok {
		if _, ok := relations[s.Op]; !ok {
			return false
		}
	}
	for _, c := range children(e) {
		if !inGo(c) {
			return false
		}
	}
	return true
}

// Predicate compiles e into a function that reports whether a record
// passes. It is ToSQL in Go and holds to the same semantics: an unknown
// (a comparison with a null) selects nothing, also under NOT; division by
// zero is unknown; a date is its midnight UTC in comparisons and its whole
// day in temporal functions. Spatial functions are planar over orb
// geometries (see relate.go for where they may differ from PostGIS on
// boundaries). It fails when e reads a property acc lacks.
func Predicate[R any](e Expr, acc Accessors[R]) (func(R) bool, error) {
	c := compiler[R]{acc: acc}
	f, err := c.pred(e)
	if err != nil {
		return nil, err
	}
	return func(r R) bool { return f(r) == yes }, nil
}

// tri is a truth value of three-valued logic.
type tri int8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

type compiler[R any] struct{ acc Accessors[R] }

func (c compiler[R]) pred(e Expr) (func(R) tri, error) {
	switch e := e.(type) {
	case *Logical:
		return c.logical(e)
	case *Not:
		f, err := c.pred(e.Arg)
		return func(r R) tri { return not(f(r)) }, err
	case *Compare:
		return c.compare(e.Binary)
	case *Between: // as SQL defines it
		return c.logical(&Logical{Op: "and", Args: []Expr{
			&Compare{Binary{">=", e.Value, e.Low}}, &Compare{Binary{"<=", e.Value, e.High}}}})
	case *In:
		return c.in(e)
	case *IsNull:
		v, err := c.value(e.Value)
		return func(r R) tri { return truth(v(r).Null) }, err
	case *Like:
		return c.like(e)
	case *Spatial:
		return c.spatial(e)
	case *Temporal:
		return c.temporal(e)
	case *Property, *Literal: // a boolean
		v, err := c.value(e)
		if err != nil {
			return nil, err
		}
		return func(r R) tri {
			x := v(r)
			if x.Null {
				return unknown
			}
			return truth(x.Num != 0)
		}, nil
	}
	return nil, fmt.Errorf("cql2: cannot evaluate %T", e)
}

func and(a, b tri) tri {
	switch {
	case a == no || b == no:
		return no
	case a == unknown || b == unknown:
		return unknown
	}
	return yes
}

// or is and's dual: not(and(not a, not b)).
func or(a, b tri) tri { return not(and(not(a), not(b))) }

func not(a tri) tri {
	switch a {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

func (c compiler[R]) logical(e *Logical) (func(R) tri, error) {
	fs := make([]func(R) tri, len(e.Args))
	for i, a := range e.Args {
		f, err := c.pred(a)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	join, stop := and, no
	if e.Op == "or" {
		join, stop = or, yes
	}
	return func(r R) tri {
		acc := fs[0](r)
		for _, f := range fs[1:] {
			if acc == stop {
				return acc
			}
			acc = join(acc, f(r))
		}
		return acc
	}, nil
}

// value compiles a scalar: a property, a literal or arithmetic. Booleans
// are Num 0 or 1; instants are Time.
func (c compiler[R]) value(e Expr) (func(R) Value, error) {
	switch e := e.(type) {
	case *Property:
		get, ok := c.acc[e.Name]
		if !ok {
			return nil, fmt.Errorf("cql2: no accessor for property %q", e.Name)
		}
		return get, nil
	case *Literal:
		v := Value{Str: e.Str, Num: e.Num, Time: e.Time.UnixMicro()}
		if e.T == Boolean && e.Bool {
			v.Num = 1
		}
		return func(R) Value { return v }, nil
	case *GeometryLiteral:
		v := Value{Geom: e.G}
		return func(R) Value { return v }, nil
	case *Arith:
		l, r, err := both(c.value, e.Binary)
		if err != nil {
			return nil, err
		}
		op := e.Op
		return func(rec R) Value {
			a, b := l(rec), r(rec)
			if a.Null || b.Null || op == "/" && b.Num == 0 {
				return Value{Null: true}
			}
			return Value{Num: arith(op, a.Num, b.Num)}
		}, nil
	}
	return nil, fmt.Errorf("cql2: %T is not a value", e)
}

func arith(op string, a, b float64) float64 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	}
	return a / b
}

// order compares a and b of type t: -1, 0 or 1.
func order(t Type, a, b Value) int {
	switch {
	case t.numeric() || t == Boolean:
		return cmp.Compare(a.Num, b.Num)
	case t.instant():
		return cmp.Compare(a.Time, b.Time)
	}
	return cmp.Compare(a.Str, b.Str) // byte order: PostgreSQL's under the C collation
}

func holds(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func (c compiler[R]) compare(b Binary) (func(R) tri, error) {
	lf, rf, err := both(c.value, b)
	if err != nil {
		return nil, err
	}
	op, t := b.Op, b.Left.Type()
	return func(rec R) tri {
		a, b := lf(rec), rf(rec)
		if a.Null || b.Null {
			return unknown
		}
		return truth(holds(op, order(t, a, b)))
	}, nil
}

func (c compiler[R]) in(e *In) (func(R) tri, error) {
	v, err := c.value(e.Value)
	if err != nil {
		return nil, err
	}
	items := make([]func(R) Value, len(e.List))
	for i, it := range e.List {
		if items[i], err = c.value(it); err != nil {
			return nil, err
		}
	}
	t := e.Value.Type()
	return func(r R) tri {
		x := v(r)
		if x.Null {
			return unknown
		}
		out := no
		for _, it := range items {
			y := it(r)
			switch {
			case y.Null:
				out = unknown
			case order(t, x, y) == 0:
				return yes
			}
		}
		return out
	}, nil
}

// both compiles the two operands of b with compile.
func both[T any](compile func(Expr) (T, error), b Binary) (T, T, error) {
	l, err := compile(b.Left)
	if err != nil {
		return l, l, err
	}
	r, err := compile(b.Right)
	return l, r, err
}
