// Package naturalearth holds the basemap's water and towns: rivers and
// lake centrelines, lakes and populated places of West and Central Africa
// from Natural Earth 1:10m (public domain), cut by the generator in gen/
// into basemap-10m.geojson.gz, which is committed and embedded, so that a
// build needs neither the source nor the network.
//
// Each feature names its layer in the "layer" property (rivers, lakes,
// towns), as the country layers of the built basemap do, and carries
// name, rank and minzoom (see gen/cut.go).
package naturalearth

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"

	"github.com/paulmach/orb/geojson"
)

//go:generate go run ./gen -out basemap-10m.geojson.gz -src=${NATURAL_EARTH}

//go:embed basemap-10m.geojson.gz
var gzipped []byte

// Layers are the basemap layers the features fill.
var Layers = []string{"lakes", "rivers", "towns"}

// Features returns a fresh copy of the embedded features; an error only if
// the embedded file is broken.
func Features() (*geojson.FeatureCollection, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gzipped))
	if err != nil {
		return nil, fmt.Errorf("naturalearth: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("naturalearth: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, fmt.Errorf("naturalearth: %w", err)
	}
	return fc, nil
}
