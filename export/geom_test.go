package export

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/internal/testenv"
)

// everyGeometry are incidents of every geometry type an incident may have.
func everyGeometry() []geo.Incident {
	ring := orb.Ring{{0, 10}, {1, 10}, {1, 11}, {0, 11}, {0, 10}}
	hole := orb.Ring{{0.25, 10.25}, {0.5, 10.25}, {0.5, 10.5}, {0.25, 10.25}}
	far := orb.Ring{{5, 15}, {6, 15}, {6, 16}, {5, 15}}
	geometries := map[string]orb.Geometry{
		"point":           orb.Point{2.5, 13.5},
		"multipoint":      orb.MultiPoint{{1, 12}, {2, 13}},
		"linestring":      orb.LineString{{1, 12}, {2, 13}, {3, 12}},
		"multilinestring": orb.MultiLineString{{{1, 12}, {2, 13}}, {{3, 12}, {4, 13}, {5, 12}}},
		"polygon":         orb.Polygon{ring, hole},
		"multipolygon":    orb.MultiPolygon{{ring, hole}, {far}},
	}
	var list []geo.Incident
	for name, g := range geometries {
		in := synthIncidents(1)[0]
		in.ID, in.Geometry = name, g
		list = append(list, in)
	}
	return list
}

func TestEveryGeometryTypeRoundTripsThroughGDAL(t *testing.T) {
	list := everyGeometry()
	for _, format := range []string{"fgb", "kml"} {
		t.Run(format, func(t *testing.T) {
			path := writeFormat(t, format, list)
			if out := testenv.GDAL(t, "ogrinfo", "-al", "-so", path); !strings.Contains(out, "Geometry: Unknown (any)") {
				t.Errorf("mixed geometries make a layer of any geometry:\n%s", out)
			}
			read := readWithGDAL(t, path)
			for _, in := range list {
				f, ok := read[in.ID]
				switch {
				case !ok:
					t.Errorf("%s: missing", in.ID)
				case !orb.Equal(f.Geometry, in.Geometry):
					t.Errorf("%s: GDAL reads %#v, want %#v", in.ID, f.Geometry, in.Geometry)
				}
			}
		})
	}
}
