package tiles

import (
	"strings"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// check verifies what the index's methods rely on, and computes the
// Morton codes: text offsets in order and inside the arena, attribute
// codes inside their lists, publisher lists that exist and are distinct
// (merge keeps their positions), incidents sorted by position.
func (ix *index) check() error {
	n := len(ix.x)
	prev := uint32(0)
	for _, o := range ix.offs {
		if o < prev || int(o) > len(ix.text) {
			return refuse("text offsets out of order")
		}
		prev = o
	}
	if n > 0 && ix.offs[0] != 0 {
		return refuse("text does not start at the arena's start")
	}
	for i, a := range ix.attrs {
		if int(a.eventType) >= len(eventTypeList) || int(a.subType) >= len(subTypeList) ||
			int(a.precision) >= len(geo.GeoPrecisions) || ix.best[i] < -1 || int(ix.pubs[i]) >= len(ix.sets) {
			return refuse("incident %d has codes out of range", i)
		}
	}
	seen := make(map[string]bool, len(ix.sets))
	for _, set := range ix.sets {
		key := strings.Join(set, "\x00")
		if seen[key] {
			return refuse("a list of publishers twice")
		}
		seen[key] = true
	}
	ix.codes = make([]uint64, n)
	for i := range n {
		ix.codes[i] = morton(ix.x[i], ix.y[i])
		if i > 0 && ix.codes[i] < ix.codes[i-1] {
			return refuse("incidents out of order")
		}
	}
	return nil
}

// lonLatOnly reports whether every point of g is a finite longitude and
// latitude.
func lonLatOnly(g orb.Geometry) bool {
	ok := func(ps ...orb.Point) bool {
		for _, p := range ps {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				return false
			}
		}
		return true
	}
	switch g := g.(type) {
	case orb.Point:
		return ok(g)
	case orb.MultiPoint:
		return ok(g...)
	case orb.LineString:
		return ok(g...)
	case orb.Ring:
		return ok(g...)
	case orb.MultiLineString:
		for _, l := range g {
			if !ok(l...) {
				return false
			}
		}
		return true
	case orb.Polygon:
		for _, r := range g {
			if !ok(r...) {
				return false
			}
		}
		return true
	case orb.MultiPolygon:
		for _, p := range g {
			if !lonLatOnly(p) {
				return false
			}
		}
		return true
	case orb.Collection:
		for _, c := range g {
			if !lonLatOnly(c) {
				return false
			}
		}
		return true
	}
	return false
}
