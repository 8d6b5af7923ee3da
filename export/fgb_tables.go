package export

import (
	"fmt"
	"reflect"

	flatbuffers "github.com/google/flatbuffers/go"
	"github.com/twpayne/go-geom"
)

// FlatGeobuf's geometry types (header.fbs, enum GeometryType: WKB's).
const (
	fgbUnknown byte = iota
	fgbPoint
	fgbLineString
	fgbPolygon
	fgbMultiPoint
	fgbMultiLineString
	fgbMultiPolygon
	fgbGeometryCollection
)

// The fields of FlatGeobuf's tables (header.fbs, feature.fbs), by their
// number in the schema.
const (
	headerName, headerEnvelope, headerGeometryType          = 0, 1, 2
	headerColumns, headerFeaturesCount, headerIndexNodeSize = 7, 8, 9
	headerCrs, headerTitle, headerFields                    = 10, 11, 14
	columnName, columnType, columnFields                    = 0, 1, 11
	crsOrg, crsCode, crsFields                              = 0, 1, 6
	geometryEnds, geometryXY, geometryType, geometryParts   = 0, 1, 6, 7
	geometryFields                                          = 8
	featureGeometry, featureProperties, featureFields       = 0, 1, 3
)

// fgbHeader is what the header says of the features that follow.
type fgbHeader struct {
	columns      []fgbColumn // of the file, in order
	count        uint64
	extent       fgbNode // unused when count is 0
	geometryType byte
}

// fgbHeaderTable builds the file's header: a size-prefixed Header table
// with h's columns, WGS 84 (EPSG:4326) and, when there are
// features, the envelope and the index's node size.
func fgbHeaderTable(h fgbHeader) []byte {
	b := flatbuffers.NewBuilder(1024)
	columns := make([]flatbuffers.UOffsetT, len(h.columns))
	for i, c := range h.columns {
		name := b.CreateString(c.name)
		b.StartObject(columnFields)
		b.PrependUOffsetTSlot(columnName, name, 0)
		b.PrependByteSlot(columnType, c.typ, 0)
		columns[i] = b.EndObject()
	}
	columnVector := b.CreateVectorOfTables(columns)
	org := b.CreateString("EPSG")
	b.StartObject(crsFields)
	b.PrependUOffsetTSlot(crsOrg, org, 0)
	b.PrependInt32Slot(crsCode, 4326, 0)
	crs := b.EndObject()
	name, title := b.CreateString("incidents"), b.CreateString("incidentmap incidents")
	var envelope flatbuffers.UOffsetT
	if h.count > 0 {
		envelope = float64Vector(b, []float64{h.extent.minX, h.extent.minY, h.extent.maxX, h.extent.maxY})
	}
	b.StartObject(headerFields)
	b.PrependUOffsetTSlot(headerName, name, 0)
	b.PrependUOffsetTSlot(headerTitle, title, 0)
	if h.count > 0 {
		b.PrependUOffsetTSlot(headerEnvelope, envelope, 0)
	}
	b.PrependByteSlot(headerGeometryType, h.geometryType, fgbUnknown)
	b.PrependUOffsetTSlot(headerColumns, columnVector, 0)
	b.PrependUint64Slot(headerFeaturesCount, h.count, 0)
	nodeSize := uint16(fgbNodeSize)
	if h.count == 0 {
		nodeSize = 0 // no features, no index
	}
	b.PrependUint16Slot(headerIndexNodeSize, nodeSize, fgbNodeSize)
	b.PrependUOffsetTSlot(headerCrs, crs, 0)
	b.FinishSizePrefixed(b.EndObject())
	return b.FinishedBytes()
}

// fgbFeatureTable builds one feature, a size-prefixed Feature table, in b
// (which it resets) and returns its bytes, valid until b's next use.
func fgbFeatureTable(b *flatbuffers.Builder, g geom.T, properties []byte) ([]byte, error) {
	b.Reset()
	geometry, err := fgbGeometry(b, g)
	if err != nil {
		return nil, err
	}
	props := b.CreateByteVector(properties)
	b.StartObject(featureFields)
	b.PrependUOffsetTSlot(featureGeometry, geometry, 0)
	b.PrependUOffsetTSlot(featureProperties, props, 0)
	b.FinishSizePrefixed(b.EndObject())
	return b.FinishedBytes(), nil
}

// fgbGeometry builds the Geometry table of g: flat x, y pairs, with the
// end of each ring or line (counted in points) where there are several,
// and one part per member of a MultiPolygon or collection.
func fgbGeometry(b *flatbuffers.Builder, g geom.T) (flatbuffers.UOffsetT, error) {
	typ, err := fgbGeometryType(g)
	if err != nil {
		return 0, err
	}
	var parts []flatbuffers.UOffsetT
	switch g := g.(type) {
	case *geom.MultiPolygon:
		for i := range g.NumPolygons() {
			part, err := fgbGeometry(b, g.Polygon(i))
			if err != nil {
				return 0, err
			}
			parts = append(parts, part)
		}
	case *geom.GeometryCollection:
		for _, member := range g.Geoms() {
			part, err := fgbGeometry(b, member)
			if err != nil {
				return 0, err
			}
			parts = append(parts, part)
		}
	}
	var partVector, xy, ends flatbuffers.UOffsetT
	if parts != nil {
		partVector = b.CreateVectorOfTables(parts)
	} else {
		xy = float64Vector(b, g.FlatCoords())
		if e := g.Ends(); len(e) > 1 && (typ == fgbPolygon || typ == fgbMultiLineString) {
			ends = pointEnds(b, e, g.Stride())
		}
	}
	b.StartObject(geometryFields)
	if parts != nil {
		b.PrependUOffsetTSlot(geometryParts, partVector, 0)
	} else {
		b.PrependUOffsetTSlot(geometryXY, xy, 0)
	}
	if ends != 0 {
		b.PrependUOffsetTSlot(geometryEnds, ends, 0)
	}
	b.PrependByteSlot(geometryType, typ, fgbUnknown)
	return b.EndObject(), nil
}

// fgbGeometryTypes are FlatGeobuf's types of go-geom's geometries.
var fgbGeometryTypes = map[reflect.Type]byte{
	reflect.TypeFor[*geom.Point](): fgbPoint, reflect.TypeFor[*geom.LineString](): fgbLineString,
	reflect.TypeFor[*geom.Polygon](): fgbPolygon, reflect.TypeFor[*geom.MultiPoint](): fgbMultiPoint,
	reflect.TypeFor[*geom.MultiLineString](): fgbMultiLineString, reflect.TypeFor[*geom.MultiPolygon](): fgbMultiPolygon,
	reflect.TypeFor[*geom.GeometryCollection](): fgbGeometryCollection,
}

// fgbGeometryType is FlatGeobuf's type of g.
func fgbGeometryType(g geom.T) (byte, error) {
	if t, ok := fgbGeometryTypes[reflect.TypeOf(g)]; ok {
		return t, nil
	}
	return 0, fmt.Errorf("export: FlatGeobuf cannot hold a %T", g)
}

// float64Vector builds a vector of doubles.
func float64Vector(b *flatbuffers.Builder, values []float64) flatbuffers.UOffsetT {
	return vector(b, values, 8, b.PrependFloat64)
}

// pointEnds builds the vector of ends, go-geom's counted in coordinates
// (stride of them a point), FlatGeobuf's in points.
func pointEnds(b *flatbuffers.Builder, ends []int, stride int) flatbuffers.UOffsetT {
	points := make([]uint32, len(ends))
	for i, e := range ends {
		points[i] = uint32(e / stride)
	}
	return vector(b, points, 4, b.PrependUint32)
}

// vector builds a vector of values of size bytes each, which prepend
// writes: flatbuffers builds back to front.
func vector[T any](b *flatbuffers.Builder, values []T, size int, prepend func(T)) flatbuffers.UOffsetT {
	b.StartVector(size, len(values), size)
	for i := len(values) - 1; i >= 0; i-- {
		prepend(values[i])
	}
	return b.EndVector(len(values))
}
