package cql2

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Planar spatial relations over orb geometries, for Predicate. They agree
// with PostGIS's ST_Intersects, ST_Contains and ST_Within on points, lines
// and valid polygons, boundaries included (a polygon does not contain a
// point on its edge). Where they may differ: contains where a is a point or
// a line (a line's end points count as inside here), invalid polygons
// (PostGIS makes them valid first), and rounding on nearly collinear
// points.

// parts are a geometry split into its points, segments and polygons.
type parts struct {
	points   []orb.Point
	segments [][2]orb.Point
	polygons []orb.Polygon
}

// shape is a geometry prepared for the relations: its bounds and parts. A
// filter's literal is prepared once, an incident's geometry per test.
type shape struct {
	bound orb.Bound
	parts
}

func prepare(g orb.Geometry) shape { return shape{g.Bound(), split(g)} }

func split(g orb.Geometry) parts {
	var p parts
	var walk func(g orb.Geometry)
	line := func(ls []orb.Point) {
		p.points = append(p.points, ls...)
		for i := 1; i < len(ls); i++ {
			p.segments = append(p.segments, [2]orb.Point{ls[i-1], ls[i]})
		}
	}
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			p.points = append(p.points, g)
		case orb.MultiPoint:
			p.points = append(p.points, g...)
		case orb.LineString:
			line(g)
		case orb.MultiLineString:
			for _, l := range g {
				line(l)
			}
		case orb.Ring:
			walk(orb.Polygon{g})
		case orb.Polygon:
			p.polygons = append(p.polygons, g)
			for _, r := range g {
				line(r)
			}
		case orb.MultiPolygon:
			for _, poly := range g {
				walk(poly)
			}
		case orb.Collection:
			for _, m := range g {
				walk(m)
			}
		case orb.Bound:
			walk(g.ToPolygon())
		}
	}
	walk(g)
	return p
}

// intersects reports whether a and b share a point.
func intersects(a, b shape) bool {
	if !a.bound.Intersects(b.bound) {
		return false
	}
	pa, pb := a.parts, b.parts
	for _, sa := range pa.segments {
		for _, sb := range pb.segments {
			if segmentsMeet(sa, sb) {
				return true
			}
		}
	}
	return pointsTouch(pa, pb) || pointsTouch(pb, pa)
}

// pointsTouch reports whether a point of a lies on b: equal to a point,
// on a segment, inside a polygon.
func pointsTouch(a, b parts) bool {
	for _, p := range a.points {
		for _, q := range b.points {
			if p == q {
				return true
			}
		}
		for _, s := range b.segments {
			if onSegment(p, s) {
				return true
			}
		}
		for _, poly := range b.polygons {
			if planar.PolygonContains(poly, p) {
				return true
			}
		}
	}
	return false
}

// contains reports whether b lies inside a: every point of b in a (the
// boundary counts), and no edge of b crossing out of a polygon of a.
func contains(a, b shape) bool {
	if !bboxCovers(a.bound, b.bound) {
		return false
	}
	pa, pb := a.parts, b.parts
	if len(pa.polygons) == 0 { // a point or a line holds only what lies on it
		for _, p := range pb.points {
			if !pointsTouch(parts{points: []orb.Point{p}}, pa) {
				return false
			}
		}
		return len(pb.segments) == 0 || len(pa.segments) > 0
	}
	inside := func(p orb.Point) bool {
		if pointsTouch(parts{points: []orb.Point{p}}, parts{polygons: pa.polygons}) {
			return true
		}
		for _, s := range pa.segments {
			if onSegment(p, s) {
				return true
			}
		}
		return false
	}
	onBoundary := func(p orb.Point) bool {
		for _, s := range pa.segments {
			if onSegment(p, s) {
				return true
			}
		}
		return false
	}
	interior := false // some point of b in a's interior, as PostGIS asks
	for _, p := range pb.points {
		if !inside(p) {
			return false
		}
		interior = interior || !onBoundary(p)
	}
	for _, s := range pb.segments {
		mid := orb.Point{(s[0][0] + s[1][0]) / 2, (s[0][1] + s[1][1]) / 2}
		if !inside(mid) {
			return false
		}
		interior = interior || !onBoundary(mid)
		for _, e := range pa.segments {
			if properCross(s, e) {
				return false
			}
		}
	}
	return interior
}

func bboxCovers(a, b orb.Bound) bool {
	return a.Min[0] <= b.Min[0] && a.Min[1] <= b.Min[1] && a.Max[0] >= b.Max[0] && a.Max[1] >= b.Max[1]
}

// orient is the sign of the turn a, b, c: 1 left, -1 right, 0 straight.
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(p orb.Point, s [2]orb.Point) bool {
	return orient(s[0], s[1], p) == 0 &&
		min(s[0][0], s[1][0]) <= p[0] && p[0] <= max(s[0][0], s[1][0]) &&
		min(s[0][1], s[1][1]) <= p[1] && p[1] <= max(s[0][1], s[1][1])
}

// segmentsMeet reports whether two closed segments share a point.
func segmentsMeet(a, b [2]orb.Point) bool {
	if properCross(a, b) {
		return true
	}
	return onSegment(a[0], b) || onSegment(a[1], b) || onSegment(b[0], a) || onSegment(b[1], a)
}

// properCross reports whether two segments cross at one point inside both.
func properCross(a, b [2]orb.Point) bool {
	o1, o2 := orient(a[0], a[1], b[0]), orient(a[0], a[1], b[1])
	o3, o4 := orient(b[0], b[1], a[0]), orient(b[0], b[1], a[1])
	return o1*o2 < 0 && o3*o4 < 0
}
