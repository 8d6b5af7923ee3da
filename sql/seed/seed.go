// Package seed holds the bundled Sahel dataset (see README.md beside it):
// the gazetteer's places and the incidents, as GeoJSON FeatureCollections.
package seed

import "embed"

// Files holds places.geojson and incidents.geojson.
//
//go:embed places.geojson incidents.geojson
var Files embed.FS
