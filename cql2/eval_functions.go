package cql2

import (
	"cmp"
	"fmt"
	"math"
	"strings"
)

// LIKE, the spatial and the temporal functions of Predicate.

func (c compiler[R]) like(e *Like) (func(R) tri, error) {
	v, err := c.value(e.Value)
	if err != nil {
		return nil, err
	}
	pattern := []rune(e.Pattern.(*Literal).Str)
	return func(r R) tri {
		x := v(r)
		if x.Null {
			return unknown
		}
		return truth(like([]rune(x.Str), pattern))
	}, nil
}

// like matches s against a LIKE pattern: % any run, _ any one character, \
// escapes the next character. Backtracking only to the last %, it runs in
// O(len(s) * len(pattern)).
func like(s, p []rune) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '%':
				star, mark = pi, si
				pi++
				continue
			case c == '_':
				si, pi = si+1, pi+1
				continue
			case c == '\\' && pi+1 < len(p) && p[pi+1] == s[si]:
				si, pi = si+1, pi+2
				continue
			case c != '\\' && c == s[si]:
				si, pi = si+1, pi+1
				continue
			}
		}
		if star < 0 {
			return false
		}
		mark++
		si, pi = mark, star+1
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

func (c compiler[R]) spatial(e *Spatial) (func(R) tri, error) {
	l, r, err := both(c.shape, e.Binary)
	if err != nil {
		return nil, err
	}
	rel, ok := relations[e.Op]
	if !ok {
		return nil, fmt.Errorf("cql2: %s has no predicate in Go; only ToSQL writes it", strings.ToUpper(e.Op))
	}
	return func(rec R) tri {
		a, ok1 := l(rec)
		b, ok2 := r(rec)
		if !ok1 || !ok2 {
			return unknown
		}
		return truth(rel(a, b))
	}, nil
}

// relations are the spatial functions Predicate evaluates. S_EQUALS,
// S_TOUCHES, S_OVERLAPS and S_CROSSES are left to PostGIS (ToSQL): they
// turn on boundaries and dimensions, where a planar copy would drift from
// ST_Touches and its kin; Covered reports false for a filter using them.
var relations = map[string]func(a, b shape) bool{
	"s_intersects": intersects,
	"s_disjoint":   func(a, b shape) bool { return !intersects(a, b) },
	"s_within":     func(a, b shape) bool { return contains(b, a) },
	"s_contains":   contains,
}

// shape compiles a geometry operand; a literal is prepared once.
func (c compiler[R]) shape(e Expr) (func(R) (shape, bool), error) {
	if lit, ok := e.(*GeometryLiteral); ok {
		s := prepare(lit.G)
		return func(R) (shape, bool) { return s, true }, nil
	}
	v, err := c.value(e)
	return func(r R) (shape, bool) {
		x := v(r)
		if x.Null || x.Geom == nil {
			return shape{}, false
		}
		return prepare(x.Geom), true
	}, err
}

// Open ends of extents in Go.
const (
	past   = math.MinInt64
	future = math.MaxInt64
)

// extent compiles e (an instant or an interval) into its first and last
// instants, open ends as past and future; false when one is null.
func (c compiler[R]) extent(e Expr) (func(R) (int64, int64, bool), error) {
	first, last := e, e
	if iv, ok := e.(*IntervalExpr); ok {
		first, last = iv.Start, iv.End
	}
	s, err := c.end(first, -1)
	if err != nil {
		return nil, err
	}
	en, err := c.end(last, +1)
	if err != nil {
		return nil, err
	}
	return func(r R) (int64, int64, bool) {
		a, ok1 := s(r)
		b, ok2 := en(r)
		return a, b, ok1 && ok2
	}, nil
}

func (c compiler[R]) end(e Expr, side int) (func(R) (int64, bool), error) {
	switch {
	case e == nil && side < 0:
		return func(R) (int64, bool) { return past, true }, nil
	case e == nil:
		return func(R) (int64, bool) { return future, true }, nil
	}
	if l, ok := e.(*Literal); ok {
		t := l.Time
		if l.T == Date && side > 0 {
			t = endOfDay(t)
		}
		us := t.UnixMicro()
		return func(R) (int64, bool) { return us, true }, nil
	}
	v, err := c.value(e)
	if err != nil {
		return nil, err
	}
	return func(r R) (int64, bool) {
		x := v(r)
		return x.Time, !x.Null
	}, nil
}

func (c compiler[R]) temporal(e *Temporal) (func(R) tri, error) {
	a, b, err := both(c.extent, e.Binary)
	if err != nil {
		return nil, err
	}
	rule := temporalRule[e.Op]
	type term struct {
		a, b int
		op   string
	}
	terms := make([]term, len(rule.terms))
	for i, t := range rule.terms {
		terms[i] = term{endIndex[t[0]], endIndex[t[2]], t[1]}
	}
	return func(r R) tri {
		as, ae, ok1 := a(r)
		bs, be, ok2 := b(r)
		if !ok1 || !ok2 {
			return unknown
		}
		ends := [4]int64{as, ae, bs, be}
		for _, t := range terms {
			if holds(t.op, cmp.Compare(ends[t.a], ends[t.b])) != rule.and {
				return truth(!rule.and)
			}
		}
		return truth(rule.and)
	}, nil
}

var endIndex = map[string]int{"as": 0, "ae": 1, "bs": 2, "be": 3}
