package cql2

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkt"
)

// ToSQL compiles e into a boolean SQL expression for PostgreSQL and
// PostGIS. Every value of the filter travels in args, as $firstArg,
// $firstArg+1, ...; the SQL text holds only fixed operators, casts and the
// column expressions of columns, which maps each property of e to an
// expression over the caller's table (e.g. "fatalities_best" to
// "i.fatalities_best"). A property missing from columns is an error (a
// wiring bug, not bad input).
//
// Semantics: SQL's three-valued logic, as CQL2 asks (a comparison with a
// missing value is unknown and selects nothing, also under NOT); strings
// ordered byte by byte (COLLATE "C");
// arithmetic in numeric, where division by zero is unknown; a DATE compared
// with a timestamp is its midnight UTC, and in a temporal function the
// whole day; geometries are CRS84 (SRID 4326), planar, made valid.
func ToSQL(e Expr, columns map[string]string, firstArg int) (sql string, args []any, err error) {
	w := &sqlWriter{columns: columns, next: firstArg}
	s, err := w.expr(e)
	if err != nil {
		return "", nil, err
	}
	return s, w.args, nil
}

type sqlWriter struct {
	columns map[string]string
	args    []any
	next    int
}

func (w *sqlWriter) arg(v any, cast string) string {
	w.args = append(w.args, v)
	w.next++
	return fmt.Sprintf("$%d%s", w.next-1, cast)
}

func (w *sqlWriter) expr(e Expr) (string, error) {
	return w.value(e, nil)
}

// value writes e; peer is the expression e is compared with, if any: a
// string compared with a column takes the column's type.
func (w *sqlWriter) value(e Expr, peer Expr) (string, error) {
	switch e := e.(type) {
	case *Property:
		col, ok := w.columns[e.Name]
		if !ok {
			return "", fmt.Errorf("cql2: no column for property %q", e.Name)
		}
		return col, nil
	case *Literal:
		return w.literal(e, peer), nil
	case *GeometryLiteral:
		return "ST_MakeValid(ST_GeomFromText(" + w.arg(wkt.MarshalString(e.G), "") + ", 4326))", nil
	case *Logical:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			s, err := w.expr(a)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(e.Op)+" ") + ")", nil
	case *Not:
		return w.format("(NOT %s)", e.Arg)
	case *Compare:
		if e.Op != "=" && e.Op != "<>" && e.Left.Type() == String {
			// Byte order, whatever the database's collation: as Predicate.
			return w.pair("(%s "+e.Op+` %s COLLATE "C")`, e.Left, e.Right)
		}
		return w.pair("(%s "+e.Op+" %s)", e.Left, e.Right)
	case *Like:
		return w.pair("(%s LIKE %s)", e.Value, e.Pattern)
	case *Between:
		return w.format("(%s BETWEEN %s AND %s)", e.Value, peered{e.Low, e.Value}, peered{e.High, e.Value})
	case *In:
		args := []any{e.Value}
		holes := make([]string, len(e.List))
		for i, item := range e.List {
			args = append(args, peered{item, e.Value})
			holes[i] = "%s"
		}
		return w.format("(%s IN ("+strings.Join(holes, ", ")+"))", args...)
	case *IsNull:
		return w.format("(%s IS NULL)", e.Value)
	case *Arith:
		if e.Op == "/" {
			return w.format("(%s::numeric / NULLIF(%s::numeric, 0))", e.Left, e.Right)
		}
		return w.format("(%s::numeric "+e.Op+" %s::numeric)", e.Left, e.Right)
	case *Spatial:
		return w.format(spatialSQL[e.Op]+"(%s, %s)", e.Left, e.Right)
	case *Temporal:
		return w.temporal(e)
	}
	return "", fmt.Errorf("cql2: cannot write %T in SQL", e)
}

// peered is an expression with the one it is compared with.
type peered struct{ e, peer Expr }

// format writes each of args (an Expr or a peered) into a %s of layout.
func (w *sqlWriter) format(layout string, args ...any) (string, error) {
	parts := make([]any, len(args))
	for i, a := range args {
		var s string
		var err error
		switch a := a.(type) {
		case peered:
			s, err = w.value(a.e, a.peer)
		case Expr:
			s, err = w.expr(a)
		}
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return fmt.Sprintf(layout, parts...), nil
}

// pair writes two expressions compared with each other.
func (w *sqlWriter) pair(layout string, l, r Expr) (string, error) {
	return w.format(layout, peered{l, r}, peered{r, l})
}

func (w *sqlWriter) literal(l *Literal, peer Expr) string {
	switch l.T {
	case String:
		if _, ok := peer.(*Property); ok {
			return w.arg(l.Str, "") // typed as the column: an index on it serves
		}
		return w.arg(l.Str, "::text")
	case Integer:
		return w.arg(int64(l.Num), "::bigint")
	case Number:
		return w.arg(l.Num, "::float8")
	case Boolean:
		return w.arg(l.Bool, "::boolean")
	}
	return w.arg(l.Time, "::timestamptz") // Timestamp, Date
}

// bound is one end of a temporal extent in SQL: an expression, or an
// infinite end (inf -1 for the open past, +1 for the open future).
type bound struct {
	sql string
	lit *time.Time // a literal instant, written as an argument where used
	inf int
}

// text writes b (finite) where it is used.
func (w *sqlWriter) text(b bound) string {
	if b.lit != nil {
		return w.arg(*b.lit, "::timestamptz")
	}
	return b.sql
}

// extent writes e (an instant or an interval) as its first and last
// instants, both included. A date spans its whole day.
func (w *sqlWriter) extent(e Expr) (start, end bound, err error) {
	if iv, ok := e.(*IntervalExpr); ok {
		if start, err = w.end(iv.Start, -1); err != nil {
			return
		}
		end, err = w.end(iv.End, +1)
		return
	}
	if start, err = w.end(e, -1); err != nil {
		return
	}
	end, err = w.end(e, +1)
	return
}

// end writes one end of an extent; side is -1 for its start, +1 for its end.
func (w *sqlWriter) end(e Expr, side int) (bound, error) {
	if e == nil {
		return bound{inf: side}, nil
	}
	if l, ok := e.(*Literal); ok {
		t := l.Time
		if l.T == Date && side > 0 {
			t = endOfDay(t)
		}
		return bound{lit: &t}, nil
	}
	s, err := w.expr(e)
	return bound{sql: s}, err
}

// endOfDay is the last microsecond of the day that starts at t.
func endOfDay(t time.Time) time.Time { return t.Add(24*time.Hour - time.Microsecond) }

// cmp writes a op b; where an end is infinite the answer is known and
// written as TRUE or FALSE.
func (w *sqlWriter) cmp(a bound, op string, b bound) string {
	if a.inf == 0 && b.inf == 0 {
		return "(" + w.text(a) + " " + op + " " + w.text(b) + ")"
	}
	if constCompare(a.inf, op, b.inf) {
		return "TRUE"
	}
	return "FALSE"
}

// constCompare compares two ends when one is infinite: a finite end counts
// as 0 and sits between the infinities; two equal infinities are equal.
func constCompare(a int, op string, b int) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return a == b && a != 0 // "=": a finite end never equals an infinite one
}

// spatialSQL is the PostGIS function of each spatial function: the
// DE-9IM relations of Simple Features, as CQL2 defines them.
var spatialSQL = map[string]string{
	"s_intersects": "ST_Intersects", "s_within": "ST_Within", "s_contains": "ST_Contains",
	"s_disjoint": "ST_Disjoint", "s_equals": "ST_Equals", "s_touches": "ST_Touches",
	"s_overlaps": "ST_Overlaps", "s_crosses": "ST_Crosses",
}

// temporalRule is each temporal function over extents A and B as
// comparisons of their ends, joined by and (true) or or (false).
var temporalRule = map[string]struct {
	and   bool
	terms [][3]string // a's end, op, b's end; "as" is A's start, "be" B's end
}{
	"t_intersects": {true, [][3]string{{"as", "<=", "be"}, {"ae", ">=", "bs"}}},
	"t_disjoint":   {false, [][3]string{{"as", ">", "be"}, {"ae", "<", "bs"}}},
	"t_before":     {true, [][3]string{{"ae", "<", "bs"}}},
	"t_after":      {true, [][3]string{{"as", ">", "be"}}},
	"t_during":     {true, [][3]string{{"as", ">", "bs"}, {"ae", "<", "be"}}},
	"t_contains":   {true, [][3]string{{"as", "<", "bs"}, {"ae", ">", "be"}}},
	"t_equals":     {true, [][3]string{{"as", "=", "bs"}, {"ae", "=", "be"}}},
	// Allen's relations that CQL2's temporal-functions class adds
	"t_meets":        {true, [][3]string{{"ae", "=", "bs"}}},
	"t_metby":        {true, [][3]string{{"as", "=", "be"}}},
	"t_overlaps":     {true, [][3]string{{"as", "<", "bs"}, {"ae", ">", "bs"}, {"ae", "<", "be"}}},
	"t_overlappedby": {true, [][3]string{{"as", ">", "bs"}, {"as", "<", "be"}, {"ae", ">", "be"}}},
	"t_starts":       {true, [][3]string{{"as", "=", "bs"}, {"ae", "<", "be"}}},
	"t_startedby":    {true, [][3]string{{"as", "=", "bs"}, {"ae", ">", "be"}}},
	"t_finishes":     {true, [][3]string{{"as", ">", "bs"}, {"ae", "=", "be"}}},
	"t_finishedby":   {true, [][3]string{{"as", "<", "bs"}, {"ae", "=", "be"}}},
}

func (w *sqlWriter) temporal(e *Temporal) (string, error) {
	as, ae, err := w.extent(e.Left)
	if err != nil {
		return "", err
	}
	bs, be, err := w.extent(e.Right)
	if err != nil {
		return "", err
	}
	ends := map[string]bound{"as": as, "ae": ae, "bs": bs, "be": be}
	rule := temporalRule[e.Op]
	parts := make([]string, len(rule.terms))
	for i, t := range rule.terms {
		parts[i] = w.cmp(ends[t[0]], t[1], ends[t[2]])
	}
	join := " OR "
	if rule.and {
		join = " AND "
	}
	return "(" + strings.Join(parts, join) + ")", nil
}
