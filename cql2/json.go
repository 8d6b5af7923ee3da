package cql2

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// jsonParser turns decoded cql2-json into the tree; path is where a node is
// ("$.args[0]") for error messages.
type jsonParser struct {
	checker
}

func parseJSON(s string, q Queryables) (Expr, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fail("", "is not JSON: %s", jsonError(err))
	}
	if d.More() {
		return nil, fail("", "has text after its JSON value")
	}
	p := &jsonParser{checker{q: q}}
	e, err := p.node(v, "$", 0)
	if err != nil {
		return nil, err
	}
	return finish(e)
}

// jsonError says what is wrong with the JSON without repeating the input.
func jsonError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	return err.Error()
}

func atPath(path string) string { return "at " + path }

func (p *jsonParser) node(v any, path string, depth int) (Expr, error) {
	if depth > recursionLimit {
		return nil, fail(atPath(path), "nests deeper than %d levels", MaxDepth)
	}
	switch v := v.(type) {
	case string:
		return stringLiteral(v, atPath(path))
	case json.Number:
		return numberLiteral(v.String(), atPath(path))
	case bool:
		return &Literal{T: Boolean, Bool: v}, nil
	case map[string]any:
		return p.object(v, path, depth)
	case nil:
		return nil, fail(atPath(path), "null is not a value")
	}
	return nil, fail(atPath(path), "an array is not a value here")
}

func (p *jsonParser) object(m map[string]any, path string, depth int) (Expr, error) {
	if op, ok := m["op"]; ok {
		return p.operation(op, m["args"], path, depth)
	}
	if name, ok := m["property"]; ok {
		s, ok := name.(string)
		if !ok {
			return nil, fail(atPath(path+".property"), "a property name is a string")
		}
		return p.property(s, atPath(path))
	}
	if s, ok := m["timestamp"]; ok {
		return stringThen(s, path+".timestamp", timestampLiteral)
	}
	if s, ok := m["date"]; ok {
		return stringThen(s, path+".date", dateLiteral)
	}
	if iv, ok := m["interval"]; ok {
		return p.intervalNode(iv, path+".interval", depth)
	}
	if b, ok := m["bbox"]; ok {
		nums, err := p.numbers(b, path+".bbox")
		if err != nil {
			return nil, err
		}
		if err := p.countVertices(2, atPath(path)); err != nil {
			return nil, err
		}
		return bbox(nums, atPath(path+".bbox"))
	}
	if _, ok := m["type"]; ok {
		g, err := p.geoJSON(m, path, depth)
		if err != nil {
			return nil, err
		}
		if err := checkGeometry(g, atPath(path)); err != nil {
			return nil, err
		}
		return &GeometryLiteral{G: g}, nil
	}
	return nil, fail(atPath(path), "an object needs \"op\", \"property\", \"timestamp\", \"date\", \"interval\", \"bbox\" or a GeoJSON \"type\"")
}

func stringThen(v any, path string, f func(s, at string) (Expr, error)) (Expr, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fail(atPath(path), "want a string")
	}
	return f(s, atPath(path))
}

func (p *jsonParser) operation(opv, argsv any, path string, depth int) (Expr, error) {
	op, ok := opv.(string)
	if !ok {
		return nil, fail(atPath(path+".op"), "\"op\" is a string")
	}
	args, ok := argsv.([]any)
	if !ok {
		return nil, fail(atPath(path+".args"), "%q needs an \"args\" array", op)
	}
	at := atPath(path)
	lop := strings.ToLower(op)
	if lop == "in" {
		return p.inNode(args, path, depth)
	}
	exprs := make([]Expr, len(args))
	for i, a := range args {
		e, err := p.node(a, fmt.Sprintf("%s.args[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		exprs[i] = e
	}
	want := func(n int) error {
		if len(exprs) != n {
			return fail(at, "%q takes %d arguments, not %d", op, n, len(exprs))
		}
		return nil
	}
	switch {
	case lop == "and" || lop == "or":
		return p.logical(lop, exprs, at)
	case lop == "not":
		if err := want(1); err != nil {
			return nil, err
		}
		return p.not(exprs[0], at)
	case slices.Contains(comparisons, lop):
		if err := want(2); err != nil {
			return nil, err
		}
		return p.compare(lop, exprs[0], exprs[1], at)
	case lop == "like":
		if err := want(2); err != nil {
			return nil, err
		}
		return p.like(exprs[0], exprs[1], at)
	case lop == "between":
		if err := want(3); err != nil {
			return nil, err
		}
		return p.between(exprs[0], exprs[1], exprs[2], at)
	case lop == "isnull":
		if err := want(1); err != nil {
			return nil, err
		}
		return p.isNull(exprs[0], at)
	case lop == "+" || lop == "-" || lop == "*" || lop == "/":
		if err := want(2); err != nil {
			return nil, err
		}
		return p.arith(lop, exprs[0], exprs[1], at)
	}
	return p.function(op, exprs, at)
}

// inNode parses {"op": "in", "args": [value, [item, ...]]}.
func (p *jsonParser) inNode(args []any, path string, depth int) (Expr, error) {
	if len(args) != 2 {
		return nil, fail(atPath(path), "\"in\" takes a value and an array of values")
	}
	v, err := p.node(args[0], path+".args[0]", depth+1)
	if err != nil {
		return nil, err
	}
	items, ok := args[1].([]any)
	if !ok {
		return nil, fail(atPath(path+".args[1]"), "\"in\" needs an array of values")
	}
	if len(items) > MaxInItems {
		return nil, fail(atPath(path), "IN has %d values; at most %d are allowed", len(items), MaxInItems)
	}
	list := make([]Expr, len(items))
	for i, it := range items {
		if list[i], err = p.node(it, fmt.Sprintf("%s.args[1][%d]", path, i), depth+2); err != nil {
			return nil, err
		}
	}
	return p.in(v, list, atPath(path))
}

func (p *jsonParser) intervalNode(v any, path string, depth int) (Expr, error) {
	ends, ok := v.([]any)
	if !ok || len(ends) != 2 {
		return nil, fail(atPath(path), "an interval is an array of two instants")
	}
	var out [2]Expr
	for k, end := range ends {
		at := fmt.Sprintf("%s[%d]", path, k)
		var err error
		if s, ok := end.(string); ok {
			out[k], err = intervalEnd(s, atPath(at))
		} else {
			out[k], err = p.node(end, at, depth+1)
		}
		if err != nil {
			return nil, err
		}
	}
	return p.interval(out[0], out[1], atPath(path))
}

func (p *jsonParser) numbers(v any, path string) ([]float64, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) > 6 {
		return nil, fail(atPath(path), "want an array of numbers")
	}
	out := make([]float64, len(arr))
	for i, x := range arr {
		n, ok := x.(json.Number)
		if !ok {
			return nil, fail(atPath(fmt.Sprintf("%s[%d]", path, i)), "want a number")
		}
		f, err := n.Float64()
		if err != nil {
			return nil, fail(atPath(fmt.Sprintf("%s[%d]", path, i)), "bad number %s", n)
		}
		out[i] = f
	}
	return out, nil
}

// geoJSON reads a GeoJSON geometry object.
func (p *jsonParser) geoJSON(m map[string]any, path string, depth int) (orb.Geometry, error) {
	typ, _ := m["type"].(string)
	c := m["coordinates"]
	cpath := path + ".coordinates"
	switch typ {
	case "Point":
		return p.position(c, cpath)
	case "LineString":
		pts, err := each(c, cpath, p.position)
		return orb.LineString(pts), err
	case "Polygon":
		return p.polygonJSON(c, cpath)
	case "MultiPoint":
		pts, err := each(c, cpath, p.position)
		return orb.MultiPoint(pts), err
	case "MultiLineString":
		lines, err := each(c, cpath, p.lineJSON)
		return orb.MultiLineString(lines), err
	case "MultiPolygon":
		polys, err := each(c, cpath, p.polygonJSON)
		return orb.MultiPolygon(polys), err
	case "GeometryCollection":
		if depth >= recursionLimit {
			return nil, fail(atPath(path), "nests deeper than %d levels", MaxDepth)
		}
		members, err := each(m["geometries"], path+".geometries", func(v any, at string) (orb.Geometry, error) {
			gm, ok := v.(map[string]any)
			if !ok {
				return nil, fail(atPath(at), "want a GeoJSON geometry")
			}
			return p.geoJSON(gm, at, depth+1)
		})
		return orb.Collection(members), err
	}
	return nil, fail(atPath(path+".type"), "unknown GeoJSON geometry type %q", typ)
}

// each reads every element of the array v with read.
func each[T any](v any, path string, read func(v any, at string) (T, error)) ([]T, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fail(atPath(path), "want an array")
	}
	out := make([]T, len(arr))
	for i, x := range arr {
		var err error
		if out[i], err = read(x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *jsonParser) lineJSON(v any, path string) (orb.LineString, error) {
	return each(v, path, p.position)
}

func (p *jsonParser) polygonJSON(v any, path string) (orb.Polygon, error) {
	rings, err := each(v, path, func(v any, at string) (orb.Ring, error) { return each(v, at, p.position) })
	return orb.Polygon(rings), err
}

// position reads [x, y] or [x, y, z]; z is dropped.
func (p *jsonParser) position(v any, path string) (orb.Point, error) {
	if err := p.countVertices(1, atPath(path)); err != nil {
		return orb.Point{}, err
	}
	nums, err := p.numbers(v, path)
	if err != nil {
		return orb.Point{}, err
	}
	if len(nums) != 2 && len(nums) != 3 {
		return orb.Point{}, fail(atPath(path), "a position has 2 or 3 numbers, not %d", len(nums))
	}
	pt := orb.Point{nums[0], nums[1]}
	return pt, checkPoint(pt, atPath(path))
}
