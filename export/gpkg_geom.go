package export

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// srsWGS84 is the srs_id of EPSG:4326, the only coordinate system we write.
const srsWGS84 = 4326

// gpkgGeometry encodes g as a GeoPackage geometry blob (GeoPackage 1.3,
// 2.1.3 "BLOB Format"): the magic "GP", version 0, flags, the srs_id, an
// envelope, then the geometry as little-endian ISO WKB. A point carries no
// envelope (it is its own envelope, and GDAL writes none either); any other
// geometry carries its XY bounds (minx, maxx, miny, maxy).
//
// go-geom has no encoding/gpkg package (none of its releases up to v1.7.0),
// so the 8-byte header is written here and orb, the module's geometry
// library, writes the WKB.
func gpkgGeometry(g orb.Geometry) ([]byte, error) {
	body, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	const (
		littleEndian = 0b0000_0001
		envelopeXY   = 0b0000_0010 // envelope indicator 1: [minx, maxx, miny, maxy]
	)
	flags := byte(littleEndian)
	_, isPoint := g.(orb.Point)
	if !isPoint {
		flags |= envelopeXY
	}
	out := make([]byte, 0, 8+32+len(body))
	out = append(out, 'G', 'P', 0, flags)
	out = binary.LittleEndian.AppendUint32(out, uint32(srsWGS84))
	if !isPoint {
		b := g.Bound()
		for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		}
	}
	return append(out, body...), nil
}

// gpkgTypeName is the geometry type name of g for gpkg_geometry_columns
// (POINT, LINESTRING, POLYGON, MULTIPOINT, ..., GEOMETRYCOLLECTION).
func gpkgTypeName(g orb.Geometry) string {
	return strings.ToUpper(g.GeoJSONType())
}
