package cql2_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkt"

	"incidentmap/cql2"
)

// dump shows a tree in a test failure.
func dump(e cql2.Expr) string {
	b, err := json.Marshal(e)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// prefix writes a tree as op(arg,arg): a short form for tests.
func prefix(e cql2.Expr) string {
	call := func(op string, args ...cql2.Expr) string {
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = prefix(a)
		}
		return op + "(" + strings.Join(s, ",") + ")"
	}
	switch e := e.(type) {
	case nil:
		return ".."
	case *cql2.Property:
		return e.Name
	case *cql2.Literal:
		switch e.T {
		case cql2.String:
			return "'" + strings.ReplaceAll(e.Str, "'", "''") + "'"
		case cql2.Boolean:
			return fmt.Sprint(e.Bool)
		case cql2.Timestamp, cql2.Date:
			return e.Time.Format(time.RFC3339Nano)
		}
		return fmt.Sprint(e.Num)
	case *cql2.IntervalExpr:
		return "interval(" + prefix(e.Start) + "," + prefix(e.End) + ")"
	case *cql2.GeometryLiteral:
		return wkt.MarshalString(e.G)
	case *cql2.Logical:
		return call(e.Op, e.Args...)
	case *cql2.Not:
		return call("not", e.Arg)
	case *cql2.Compare:
		return call(e.Op, e.Left, e.Right)
	case *cql2.Like:
		return call("like", e.Value, e.Pattern)
	case *cql2.In:
		return call("in", append([]cql2.Expr{e.Value}, e.List...)...)
	case *cql2.Between:
		return call("between", e.Value, e.Low, e.High)
	case *cql2.IsNull:
		return call("isnull", e.Value)
	case *cql2.Arith:
		return call(e.Op, e.Left, e.Right)
	case *cql2.Spatial:
		return call(e.Op, e.Left, e.Right)
	case *cql2.Temporal:
		return call(e.Op, e.Left, e.Right)
	}
	return fmt.Sprintf("?%T", e)
}
