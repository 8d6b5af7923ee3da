package cql2

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// stringLiteral refuses what no text column can hold: invalid UTF-8 and
// the NUL character.
func stringLiteral(s, at string) (Expr, error) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return nil, fail(at, "a string must be UTF-8 text without NUL characters")
	}
	return &Literal{T: String, Str: s}, nil
}

func dateLiteral(s, at string) (Expr, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fail(at, "bad date %q: want YYYY-MM-DD", s)
	}
	return &Literal{T: Date, Time: t}, nil
}

func timestampLiteral(s, at string) (Expr, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fail(at, "bad timestamp %q: want RFC 3339, e.g. 2024-01-31T12:00:00Z", s)
	}
	return &Literal{T: Timestamp, Time: t.UTC()}, nil
}

// intervalEnd reads one end of an interval given as a string: '..' (open,
// nil), a date or a timestamp.
func intervalEnd(s, at string) (Expr, error) {
	switch {
	case s == "..":
		return nil, nil
	case len(s) == len(time.DateOnly):
		return dateLiteral(s, at)
	}
	return timestampLiteral(s, at)
}

// bbox builds the geometry of a bounding box given as west, south, east,
// north (and optionally elevations: minx, miny, minz, maxx, maxy, maxz). A
// box whose west is east of its east crosses the antimeridian and becomes
// two.
func bbox(v []float64, at string) (Expr, error) {
	switch len(v) {
	case 4:
	case 6:
		v = []float64{v[0], v[1], v[3], v[4]}
	default:
		return nil, fail(at, "BBOX takes 4 or 6 numbers, not %d", len(v))
	}
	w, s, e, n := v[0], v[1], v[2], v[3]
	for _, p := range []orb.Point{{w, s}, {e, n}} {
		if err := checkPoint(p, at); err != nil {
			return nil, err
		}
	}
	if s > n {
		return nil, fail(at, "BBOX has its south (%g) north of its north (%g)", s, n)
	}
	if w <= e {
		return &GeometryLiteral{G: orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}}.ToPolygon()}, nil
	}
	return &GeometryLiteral{G: orb.MultiPolygon{
		orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{180, n}}.ToPolygon(),
		orb.Bound{Min: orb.Point{-180, s}, Max: orb.Point{e, n}}.ToPolygon(),
	}}, nil
}

// checkPoint refuses coordinates outside CRS84's range.
func checkPoint(p orb.Point, at string) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return fail(at, "coordinate (%g %g) is outside longitude -180..180, latitude -90..90 (CRS84)", p[0], p[1])
	}
	return nil
}

// checkGeometry holds a parsed geometry to the shapes PostGIS accepts: a
// line has two points, a ring four and is closed.
func checkGeometry(g orb.Geometry, at string) error {
	switch g := g.(type) {
	case orb.LineString:
		if len(g) < 2 {
			return fail(at, "a LINESTRING needs at least two points")
		}
	case orb.Polygon:
		if len(g) == 0 {
			return fail(at, "a POLYGON needs a ring")
		}
		for _, r := range g {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				return fail(at, "a POLYGON ring needs at least four points, the last equal to the first")
			}
		}
	case orb.MultiPoint:
		return checkAll(g, "MULTIPOINT", "point", at)
	case orb.MultiLineString:
		return checkAll(g, "MULTILINESTRING", "line", at)
	case orb.MultiPolygon:
		return checkAll(g, "MULTIPOLYGON", "polygon", at)
	case orb.Collection:
		return checkAll(g, "GEOMETRYCOLLECTION", "geometry", at)
	}
	return nil
}

// checkAll holds each member of a collection to checkGeometry; kind needs at
// least one part.
func checkAll[G orb.Geometry](members []G, kind, part, at string) error {
	if len(members) == 0 {
		return fail(at, "a %s needs a %s", kind, part)
	}
	for _, m := range members {
		if err := checkGeometry(m, at); err != nil {
			return err
		}
	}
	return nil
}
