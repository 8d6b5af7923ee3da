package export

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

// toGeom converts an orb geometry (the domain's) into go-geom's, whose
// encoders the KML and FlatGeobuf writers use. It fails on a type an
// incident never has (orb.Bound, say).
func toGeom(g orb.Geometry) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}), nil
	case orb.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, appendFlat(nil, g)), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, appendFlat(nil, g)), nil
	case orb.Ring:
		return geom.NewPolygonFlat(geom.XY, appendFlat(nil, g), []int{2 * len(g)}), nil
	case orb.MultiLineString:
		coords, ends := flatParts(nil, g)
		return geom.NewMultiLineStringFlat(geom.XY, coords, ends), nil
	case orb.Polygon:
		coords, ends := flatParts(nil, g)
		return geom.NewPolygonFlat(geom.XY, coords, ends), nil
	case orb.MultiPolygon:
		var coords []float64
		endss := make([][]int, len(g))
		for i, p := range g {
			coords, endss[i] = flatParts(coords, p)
		}
		return geom.NewMultiPolygonFlat(geom.XY, coords, endss), nil
	case orb.Collection:
		c := geom.NewGeometryCollection()
		for _, part := range g {
			t, err := toGeom(part)
			if err != nil {
				return nil, err
			}
			if err := c.Push(t); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	return nil, fmt.Errorf("export: unsupported geometry %T", g)
}

// appendFlat appends the x, y of each point to coords.
func appendFlat[S ~[]orb.Point](coords []float64, points S) []float64 {
	for _, p := range points {
		coords = append(coords, p[0], p[1])
	}
	return coords
}

// flatParts appends the points of every part to coords, and returns them
// with the end of each part in coords (go-geom's ends).
func flatParts[S ~[]P, P ~[]orb.Point](coords []float64, parts S) ([]float64, []int) {
	ends := make([]int, len(parts))
	for i, part := range parts {
		coords = appendFlat(coords, part)
		ends[i] = len(coords)
	}
	return coords, ends
}
