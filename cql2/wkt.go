package cql2

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// The WKT geometries of cql2-text (POINT ... GEOMETRYCOLLECTION, with an
// optional Z whose values are dropped) and BBOX/ENVELOPE.

func (p *textParser) bboxArgs(kw string, name token) (Expr, error) {
	v, err := items(p, kw, 6, p.signedNumber)
	if err != nil {
		return nil, err
	}
	if kw == "ENVELOPE" { // ENVELOPE(west, east, north, south)
		if len(v) != 4 {
			return nil, fail(at(name), "ENVELOPE takes 4 numbers, not %d", len(v))
		}
		v = []float64{v[0], v[3], v[1], v[2]}
	}
	if err := p.countVertices(2, at(name)); err != nil {
		return nil, err
	}
	return bbox(v, at(name))
}

func (p *textParser) signedNumber() (float64, error) {
	sign := 1.0
	if p.accept(tPunct, "-") {
		sign = -1
	} else {
		p.accept(tPunct, "+")
	}
	t := p.next()
	if t.kind != tNumber {
		return 0, fail(at(t), "expected a number, found %s", t)
	}
	v, err := strconv.ParseFloat(t.text, 64)
	if err != nil {
		return 0, fail(at(t), "bad number %q", t.text)
	}
	return sign * v, nil
}

var geometryKeywords = []string{"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"}

func isGeometryKeyword(s string) bool { return containsFold(geometryKeywords, s) }

// counted is the item limit of geometry lists: MaxVertices bounds them.
const counted = math.MaxInt

// geometryText parses the parenthesised body of a WKT geometry of kind kw.
func (p *textParser) geometryText(kw string) (orb.Geometry, error) {
	switch kw {
	case "POINT":
		pts, err := items(p, kw, 1, p.coord)
		if err != nil {
			return nil, err
		}
		return pts[0], nil
	case "LINESTRING":
		return p.lineString()
	case "POLYGON":
		return p.polygon()
	case "MULTIPOINT":
		pts, err := items(p, kw, counted, p.multiPointMember)
		return orb.MultiPoint(pts), err
	case "MULTILINESTRING":
		lines, err := items(p, kw, counted, p.lineString)
		return orb.MultiLineString(lines), err
	case "MULTIPOLYGON":
		polys, err := items(p, kw, counted, p.polygon)
		return orb.MultiPolygon(polys), err
	}
	members, err := items(p, kw, counted, p.collectionMember) // GEOMETRYCOLLECTION
	return orb.Collection(members), err
}

func (p *textParser) lineString() (orb.LineString, error) {
	return items(p, "LINESTRING", counted, p.coord)
}

func (p *textParser) polygon() (orb.Polygon, error) {
	rings, err := items(p, "POLYGON", counted, func() (orb.Ring, error) {
		return items(p, "ring", counted, p.coord)
	})
	return orb.Polygon(rings), err
}

// multiPointMember is x y or (x y).
func (p *textParser) multiPointMember() (orb.Point, error) {
	if !p.peek().is(tPunct, "(") {
		return p.coord()
	}
	pts, err := items(p, "MULTIPOINT", 1, p.coord)
	if err != nil {
		return orb.Point{}, err
	}
	return pts[0], nil
}

// collectionMember is a tagged geometry inside GEOMETRYCOLLECTION.
func (p *textParser) collectionMember() (orb.Geometry, error) {
	t := p.next()
	if t.kind != tIdent || !isGeometryKeyword(t.text) {
		return nil, fail(at(t), "expected a geometry, found %s", t)
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.accept(tIdent, "z")
	return p.geometryText(strings.ToUpper(t.text))
}

// coord parses x y [z]; z is dropped.
func (p *textParser) coord() (orb.Point, error) {
	t := p.peek()
	if err := p.countVertices(1, at(t)); err != nil {
		return orb.Point{}, err
	}
	x, err := p.signedNumber()
	if err != nil {
		return orb.Point{}, err
	}
	y, err := p.signedNumber()
	if err != nil {
		return orb.Point{}, err
	}
	if n := p.peek(); n.kind == tNumber || n.is(tPunct, "-") {
		if _, err := p.signedNumber(); err != nil {
			return orb.Point{}, err
		}
	}
	pt := orb.Point{x, y}
	return pt, checkPoint(pt, at(t))
}
