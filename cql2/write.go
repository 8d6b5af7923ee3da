package cql2

import (
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkt"
)

// Text writes e as cql2-text that Parse reads back into the same tree:
// one canonical form of a filter, whichever language it came in, for a
// tiles URL or a cache key. Properties are always double-quoted, every
// operation parenthesised, instants in UTC.
func Text(e Expr) string {
	var b strings.Builder
	writeText(&b, e)
	return b.String()
}

func writeText(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Property:
		b.WriteString(`"` + strings.ReplaceAll(e.Name, `"`, `""`) + `"`)
	case *Literal:
		b.WriteString(literalText(e))
	case *IntervalExpr:
		b.WriteString("INTERVAL(")
		for i, end := range []Expr{e.Start, e.End} {
			if i == 1 {
				b.WriteString(", ")
			}
			if end == nil {
				b.WriteString("'..'")
			} else {
				writeText(b, end)
			}
		}
		b.WriteString(")")
	case *GeometryLiteral:
		b.WriteString(wkt.MarshalString(e.G))
	case *Logical:
		writeJoined(b, "(", " "+strings.ToUpper(e.Op)+" ", ")", e.Args)
	case *Not:
		writeJoined(b, "(NOT ", "", ")", []Expr{e.Arg})
	case *Compare:
		writeJoined(b, "(", " "+e.Op+" ", ")", e.operands())
	case *Arith:
		writeJoined(b, "(", " "+e.Op+" ", ")", e.operands())
	case *Like:
		writeJoined(b, "(", " LIKE ", ")", []Expr{e.Value, e.Pattern})
	case *Between:
		writeJoined(b, "(", " BETWEEN ", "", []Expr{e.Value, e.Low})
		writeJoined(b, " AND ", "", ")", []Expr{e.High})
	case *In:
		writeJoined(b, "(", "", " IN (", []Expr{e.Value})
		writeJoined(b, "", ", ", "))", e.List)
	case *IsNull:
		writeJoined(b, "(", "", " IS NULL)", []Expr{e.Value})
	case *Spatial:
		writeJoined(b, strings.ToUpper(e.Op)+"(", ", ", ")", e.operands())
	case *Temporal:
		writeJoined(b, strings.ToUpper(e.Op)+"(", ", ", ")", e.operands())
	}
}

func writeJoined(b *strings.Builder, open, sep, close string, es []Expr) {
	b.WriteString(open)
	for i, e := range es {
		if i > 0 {
			b.WriteString(sep)
		}
		writeText(b, e)
	}
	b.WriteString(close)
}

// literalText writes a literal so that it reads back with the same type:
// an integer without a point, a number always with one or an exponent.
func literalText(l *Literal) string {
	switch l.T {
	case String:
		return "'" + strings.ReplaceAll(l.Str, "'", "''") + "'"
	case Boolean:
		return strings.ToUpper(strconv.FormatBool(l.Bool))
	case Integer:
		return strconv.FormatFloat(l.Num, 'f', -1, 64)
	case Number:
		s := strconv.FormatFloat(l.Num, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case Date:
		return "DATE('" + l.Time.Format(time.DateOnly) + "')"
	}
	return "TIMESTAMP('" + l.Time.Format(time.RFC3339Nano) + "')"
}
