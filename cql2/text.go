package cql2

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// textParser is a recursive-descent parser of cql2-text. Precedence, lowest
// first: OR, AND, NOT, the predicates (comparisons, LIKE, BETWEEN, IN, IS
// NULL), + and -, * and /, unary minus.
type textParser struct {
	checker
	toks  []token
	i     int
	depth int
}

func parseText(s string, q Queryables) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &textParser{checker: checker{q: q}, toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, fail(at(t), "unexpected %s", t)
	}
	return finish(e)
}

func at(t token) string { return fmt.Sprintf("at offset %d", t.pos) }

func (p *textParser) peek() token { return p.toks[p.i] }

func (p *textParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// accept consumes the next token when it is kind/text.
func (p *textParser) accept(kind tokKind, text string) bool {
	if p.peek().is(kind, text) {
		p.i++
		return true
	}
	return false
}

func (p *textParser) expect(kind tokKind, text string) error {
	if !p.accept(kind, text) {
		return fail(at(p.peek()), "expected %q, found %s", text, p.peek())
	}
	return nil
}

// enter counts one level of nesting; the parser refuses to recurse deeper
// than the tree may be, so that no input can exhaust the stack.
func (p *textParser) enter() error {
	p.depth++
	if p.depth > recursionLimit {
		return fail(at(p.peek()), "nests deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *textParser) leave() { p.depth-- }

// nested runs parse one level deeper.
func (p *textParser) nested(parse func() (Expr, error)) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return parse()
}

func (p *textParser) or() (Expr, error) {
	return p.chain("or", p.and)
}

func (p *textParser) and() (Expr, error) {
	return p.chain("and", p.not)
}

// chain parses operands joined by the keyword op into one Logical.
func (p *textParser) chain(op string, operand func() (Expr, error)) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	start := p.peek()
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []Expr{first}
	for p.accept(tIdent, op) {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return first, nil
	}
	return p.logical(op, args, at(start))
}

func (p *textParser) not() (Expr, error) {
	t := p.peek()
	if !p.accept(tIdent, "not") {
		return p.predicate()
	}
	e, err := p.nested(p.not)
	if err != nil {
		return nil, err
	}
	return p.checker.not(e, at(t))
}

var comparisons = []string{"=", "<>", "<", "<=", ">", ">="}

func (p *textParser) predicate() (Expr, error) {
	left, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	for _, op := range comparisons {
		if p.accept(tPunct, op) {
			right, err := p.additive()
			if err != nil {
				return nil, err
			}
			return p.compare(op, left, right, at(t))
		}
	}
	if p.accept(tIdent, "is") {
		negated := p.accept(tIdent, "not")
		if err := p.expect(tIdent, "null"); err != nil {
			return nil, err
		}
		e, err := p.isNull(left, at(t))
		return p.negate(e, err, negated, t)
	}
	negated := false
	if p.peek().is(tIdent, "not") && p.i+1 < len(p.toks) {
		if n := p.toks[p.i+1]; n.is(tIdent, "like") || n.is(tIdent, "between") || n.is(tIdent, "in") {
			p.i++
			negated = true
		}
	}
	var e Expr
	switch {
	case p.accept(tIdent, "like"):
		var pattern Expr
		if pattern, err = p.additive(); err == nil {
			e, err = p.like(left, pattern, at(t))
		}
	case p.accept(tIdent, "between"):
		e, err = p.betweenRest(left, t)
	case p.accept(tIdent, "in"):
		e, err = p.inRest(left, t)
	default:
		return left, nil
	}
	return p.negate(e, err, negated, t)
}

func (p *textParser) negate(e Expr, err error, negated bool, t token) (Expr, error) {
	if err != nil || !negated {
		return e, err
	}
	return p.checker.not(e, at(t))
}

func (p *textParser) betweenRest(v Expr, t token) (Expr, error) {
	lo, err := p.additive()
	if err != nil {
		return nil, err
	}
	if err := p.expect(tIdent, "and"); err != nil {
		return nil, err
	}
	hi, err := p.additive()
	if err != nil {
		return nil, err
	}
	return p.between(v, lo, hi, at(t))
}

func (p *textParser) inRest(v Expr, t token) (Expr, error) {
	list, err := items(p, "IN", MaxInItems, p.additive)
	if err != nil {
		return nil, err
	}
	return p.in(v, list, at(t))
}

func (p *textParser) additive() (Expr, error) {
	return p.arithChain([]string{"+", "-"}, p.multiplicative)
}

func (p *textParser) multiplicative() (Expr, error) {
	return p.arithChain([]string{"*", "/"}, p.unary)
}

func (p *textParser) arithChain(ops []string, operand func() (Expr, error)) (Expr, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tPunct || (t.text != ops[0] && t.text != ops[1]) {
			return left, nil
		}
		p.i++
		right, err := operand()
		if err != nil {
			return nil, err
		}
		if left, err = p.arith(t.text, left, right, at(t)); err != nil {
			return nil, err
		}
	}
}

func (p *textParser) unary() (Expr, error) {
	t := p.peek()
	if !p.accept(tPunct, "-") && !p.accept(tPunct, "+") {
		return p.primary()
	}
	e, err := p.nested(p.unary)
	if err != nil {
		return nil, err
	}
	if t.text == "+" {
		return p.arith("+", &Literal{T: Integer}, e, at(t))
	}
	if l, ok := e.(*Literal); ok && l.T.numeric() {
		return &Literal{T: l.T, Num: -l.Num}, nil
	}
	return p.arith("-", &Literal{T: Integer}, e, at(t))
}

// keywords are never property names.
var keywords = []string{"and", "or", "not", "like", "between", "in", "is", "null", "true", "false"}

func (p *textParser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		return numberLiteral(t.text, at(t))
	case tString:
		return stringLiteral(t.text, at(t))
	case tQuoted:
		return p.property(t.text, at(t))
	case tPunct:
		if t.text != "(" {
			break
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tPunct, ")")
	case tIdent:
		switch {
		case strings.EqualFold(t.text, "true"), strings.EqualFold(t.text, "false"):
			return &Literal{T: Boolean, Bool: strings.EqualFold(t.text, "true")}, nil
		case p.peek().is(tPunct, "(") || isGeometryKeyword(t.text) && p.peek().is(tIdent, "z"):
			return p.call(t)
		case containsFold(keywords, t.text):
			return nil, fail(at(t), "unexpected %s", strings.ToUpper(t.text))
		}
		return p.property(t.text, at(t))
	}
	return nil, fail(at(t), "expected a value, found %s", t)
}

func numberLiteral(s, at string) (Expr, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fail(at, "bad number %q", s)
	}
	if math.Abs(v) <= 1<<53 && !strings.ContainsAny(s, ".eE") {
		return &Literal{T: Integer, Num: v}, nil
	}
	return &Literal{T: Number, Num: v}, nil
}

// call parses what follows the name of a function: a temporal or geometry
// literal, or a spatial or temporal function.
func (p *textParser) call(name token) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	kw := strings.ToUpper(name.text)
	switch kw {
	case "DATE", "TIMESTAMP":
		if err := p.expect(tPunct, "("); err != nil {
			return nil, err
		}
		s := p.next()
		if s.kind != tString {
			return nil, fail(at(s), "%s takes a quoted string, found %s", kw, s)
		}
		if err := p.expect(tPunct, ")"); err != nil {
			return nil, err
		}
		if kw == "DATE" {
			return dateLiteral(s.text, at(s))
		}
		return timestampLiteral(s.text, at(s))
	case "INTERVAL":
		return p.intervalArgs(name)
	case "BBOX", "ENVELOPE":
		return p.bboxArgs(kw, name)
	}
	if isGeometryKeyword(kw) {
		p.accept(tIdent, "z")
		g, err := p.geometryText(kw)
		if err != nil {
			return nil, err
		}
		if err := checkGeometry(g, at(name)); err != nil {
			return nil, err
		}
		return &GeometryLiteral{G: g}, nil
	}
	args, err := p.args()
	if err != nil {
		return nil, err
	}
	return p.function(name.text, args, at(name))
}

func (p *textParser) args() ([]Expr, error) {
	var args []Expr
	err := p.list(func() error {
		e, err := p.or()
		args = append(args, e)
		return err
	})
	return args, err
}

func (p *textParser) intervalArgs(name token) (Expr, error) {
	if err := p.expect(tPunct, "("); err != nil {
		return nil, err
	}
	var ends [2]Expr
	for k := range ends {
		if k == 1 {
			if err := p.expect(tPunct, ","); err != nil {
				return nil, err
			}
		}
		t := p.peek()
		var err error
		if t.kind == tString {
			p.i++
			ends[k], err = intervalEnd(t.text, at(t))
		} else {
			ends[k], err = p.additive()
		}
		if err != nil {
			return nil, err
		}
	}
	if err := p.expect(tPunct, ")"); err != nil {
		return nil, err
	}
	return p.interval(ends[0], ends[1], at(name))
}

// items parses ( value, value, ... ) of at most limit values for what.
func items[T any](p *textParser, what string, limit int, read func() (T, error)) ([]T, error) {
	var out []T
	start := p.peek()
	err := p.list(func() error {
		if len(out) == limit {
			return fail(at(start), "%s has more than %d values", what, limit)
		}
		v, err := read()
		out = append(out, v)
		return err
	})
	return out, err
}

// list parses ( item, item, ... ).
func (p *textParser) list(item func() error) error {
	if err := p.expect(tPunct, "("); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if !p.accept(tPunct, ",") {
			return p.expect(tPunct, ")")
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, k := range list {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}
