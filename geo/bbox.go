package geo

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// BBox is a CRS84 bounding box. MinLon > MaxLon means the box crosses the
// antimeridian.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// ParseBBox parses "minLon,minLat,maxLon,maxLat" (or the six-number form with
// heights, which are ignored). It fails with an EInvalid *Error naming param.
func ParseBBox(param, s string) (BBox, error) {
	if len(s) > 200 {
		return BBox{}, Invalid(param, "is too long")
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return BBox{}, Invalid(param, "must be four comma-separated numbers: minLon,minLat,maxLon,maxLat")
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return BBox{}, Invalid(param, "%q is not a number", p)
		}
		n[i] = f
	}
	if len(n) == 6 { // minLon,minLat,minZ,maxLon,maxLat,maxZ
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	b := BBox{MinLon: n[0], MinLat: n[1], MaxLon: n[2], MaxLat: n[3]}
	switch {
	case b.MinLon < -180 || b.MinLon > 180 || b.MaxLon < -180 || b.MaxLon > 180:
		return BBox{}, Invalid(param, "longitudes must be within -180 and 180")
	case b.MinLat < -90 || b.MinLat > 90 || b.MaxLat < -90 || b.MaxLat > 90:
		return BBox{}, Invalid(param, "latitudes must be within -90 and 90")
	case b.MinLat > b.MaxLat:
		return BBox{}, Invalid(param, "minLat is greater than maxLat")
	}
	return b, nil
}

// Bounds returns the box as one or two orb.Bounds (two when it crosses the
// antimeridian).
func (b BBox) Bounds() []orb.Bound {
	if b.MinLon <= b.MaxLon {
		return []orb.Bound{{Min: orb.Point{b.MinLon, b.MinLat}, Max: orb.Point{b.MaxLon, b.MaxLat}}}
	}
	return []orb.Bound{
		{Min: orb.Point{b.MinLon, b.MinLat}, Max: orb.Point{180, b.MaxLat}},
		{Min: orb.Point{-180, b.MinLat}, Max: orb.Point{b.MaxLon, b.MaxLat}},
	}
}
