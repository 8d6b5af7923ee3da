package cql2

import (
	"fmt"
	"slices"
	"strings"

	"incidentmap/geo"
)

// fail is the error of every refusal: what is wrong and where.
func fail(at, format string, args ...any) *geo.Error {
	msg := fmt.Sprintf(format, args...)
	if at != "" {
		msg += " " + at
	}
	return geo.Invalid("filter", "%s", msg)
}

// checker builds nodes from both front ends and holds them to the same type
// rules, so that cql2-text and cql2-json accept exactly the same trees.
type checker struct {
	q        Queryables
	vertices int
	arithOps int // arithmetic operators so far
}

func (c *checker) property(name, at string) (Expr, error) {
	t, ok := c.q[name]
	if !ok {
		err := fail(at, "unknown property %q", name)
		err.Message += "; queryables: " + QueryablesURL
		return nil, err
	}
	return &Property{Name: name, T: t}, nil
}

func (c *checker) logical(op string, args []Expr, at string) (Expr, error) {
	if len(args) < 2 {
		return nil, fail(at, "%s needs at least two predicates", strings.ToUpper(op))
	}
	for _, a := range args {
		if err := wantPredicate(a, op, at); err != nil {
			return nil, err
		}
	}
	return &Logical{Op: op, Args: args}, nil
}

func (c *checker) not(arg Expr, at string) (Expr, error) {
	if err := wantPredicate(arg, "not", at); err != nil {
		return nil, err
	}
	return &Not{Arg: arg}, nil
}

func wantPredicate(e Expr, op, at string) error {
	if e.Type() != Boolean {
		return fail(at, "%s needs a predicate, not %s", strings.ToUpper(op), describe(e))
	}
	return nil
}

// comparable reports whether values of types a and b may be compared.
func comparable(a, b Type) bool {
	switch {
	case a.numeric() && b.numeric(), a.instant() && b.instant():
		return true
	case a == b:
		return a == String || a == Boolean
	}
	return false
}

func (c *checker) compare(op string, l, r Expr, at string) (Expr, error) {
	if !comparable(l.Type(), r.Type()) {
		return nil, fail(at, "cannot compare %s with %s", describe(l), describe(r))
	}
	if l.Type() == Boolean && op != "=" && op != "<>" {
		return nil, fail(at, "booleans have no order: %s needs numbers, strings or instants", op)
	}
	return &Compare{Binary{Op: op, Left: l, Right: r}}, nil
}

func (c *checker) like(v, pattern Expr, at string) (Expr, error) {
	if v.Type() != String || pattern.Type() != String {
		return nil, fail(at, "LIKE needs strings, not %s and %s", describe(v), describe(pattern))
	}
	lit, ok := pattern.(*Literal)
	if !ok {
		return nil, fail(at, "LIKE needs a quoted pattern, not %s", describe(pattern))
	}
	for i := 0; i < len(lit.Str); i++ {
		if lit.Str[i] == '\\' {
			if i++; i == len(lit.Str) {
				return nil, fail(at, "LIKE pattern ends with the escape character \\")
			}
		}
	}
	return &Like{Value: v, Pattern: pattern}, nil
}

func (c *checker) in(v Expr, list []Expr, at string) (Expr, error) {
	if len(list) == 0 {
		return nil, fail(at, "IN needs at least one value")
	}
	if len(list) > MaxInItems {
		return nil, fail(at, "IN has %d values; at most %d are allowed", len(list), MaxInItems)
	}
	for _, item := range list {
		if !comparable(v.Type(), item.Type()) {
			return nil, fail(at, "IN cannot compare %s with %s", describe(v), describe(item))
		}
	}
	return &In{Value: v, List: list}, nil
}

func (c *checker) between(v, lo, hi Expr, at string) (Expr, error) {
	for _, e := range []Expr{v, lo, hi} {
		if !e.Type().numeric() {
			return nil, fail(at, "BETWEEN needs numbers, not %s", describe(e))
		}
	}
	return &Between{Value: v, Low: lo, High: hi}, nil
}

func (c *checker) isNull(v Expr, at string) (Expr, error) {
	if v.Type() == Boolean && !isProperty(v) {
		return nil, fail(at, "IS NULL needs a value, not a predicate")
	}
	return &IsNull{Value: v}, nil
}

func (c *checker) arith(op string, l, r Expr, at string) (Expr, error) {
	if !l.Type().numeric() || !r.Type().numeric() {
		return nil, fail(at, "%s needs numbers, not %s and %s", op, describe(l), describe(r))
	}
	if c.arithOps++; c.arithOps > MaxArith {
		return nil, fail(at, "has more than %d arithmetic operators", MaxArith)
	}
	return &Arith{Binary{Op: op, Left: l, Right: r}}, nil
}

// Spatial and temporal function names, lower case.
var (
	spatialOps = []string{"s_intersects", "s_within", "s_contains", "s_disjoint",
		"s_equals", "s_touches", "s_overlaps", "s_crosses"}
	temporalOps = []string{"t_intersects", "t_before", "t_after", "t_during", "t_disjoint", "t_equals", "t_contains",
		"t_meets", "t_metby", "t_overlaps", "t_overlappedby", "t_starts", "t_startedby", "t_finishes", "t_finishedby"}
)

func (c *checker) function(name string, args []Expr, at string) (Expr, error) {
	op := strings.ToLower(name)
	spatial, temporal := slices.Contains(spatialOps, op), slices.Contains(temporalOps, op)
	if !spatial && !temporal {
		return nil, fail(at, "unknown function %s; known: %s, %s", name,
			strings.ToUpper(strings.Join(spatialOps, ", ")), strings.ToUpper(strings.Join(temporalOps, ", ")))
	}
	if len(args) != 2 {
		return nil, fail(at, "%s takes two arguments, not %d", strings.ToUpper(op), len(args))
	}
	for _, a := range args {
		if spatial && a.Type() != Geometry {
			return nil, fail(at, "%s needs geometries, not %s", strings.ToUpper(op), describe(a))
		}
		if temporal && !a.Type().temporal() {
			return nil, fail(at, "%s needs instants or intervals, not %s", strings.ToUpper(op), describe(a))
		}
	}
	if spatial {
		return &Spatial{Binary{Op: op, Left: args[0], Right: args[1]}}, nil
	}
	return &Temporal{Binary{Op: op, Left: args[0], Right: args[1]}}, nil
}

func (c *checker) interval(start, end Expr, at string) (Expr, error) {
	for _, e := range []Expr{start, end} {
		if e != nil && !e.Type().instant() {
			return nil, fail(at, "INTERVAL needs instants or '..', not %s", describe(e))
		}
	}
	if s, ok := start.(*Literal); ok {
		if e, ok := end.(*Literal); ok && e.Time.Before(s.Time) {
			return nil, fail(at, "INTERVAL ends before it starts")
		}
	}
	return &IntervalExpr{Start: start, End: end}, nil
}

// countVertices adds n coordinates to the filter's total.
func (c *checker) countVertices(n int, at string) error {
	c.vertices += n
	if c.vertices > MaxVertices {
		return fail(at, "geometries have more than %d vertices", MaxVertices)
	}
	return nil
}

// finish holds the whole tree to the rules that only the whole can break:
// a predicate at the root, and the depth limit.
func finish(e Expr) (Expr, error) {
	if e.Type() != Boolean {
		return nil, fail("", "is %s, not a predicate", describe(e))
	}
	if depth(e) > MaxDepth {
		return nil, fail("", "nests deeper than %d levels", MaxDepth)
	}
	return e, nil
}

func depth(e Expr) int {
	d := 0
	for _, c := range children(e) {
		d = max(d, depth(c))
	}
	return d + 1
}

func isProperty(e Expr) bool { _, ok := e.(*Property); return ok }

// describe names e for an error message, with its article: `a string
// property "title"`, "an integer", "a predicate".
func describe(e Expr) string {
	s := e.Type().String()
	if p, ok := e.(*Property); ok {
		s = fmt.Sprintf("%s property %q", p.T, p.Name)
	} else if e.Type() == Boolean {
		s = "predicate"
	}
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
