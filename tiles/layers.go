package tiles

import (
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// The layers of a tile, in this order. Tile gives both; LayerTile one alone,
// for the tiles of one collection (OGC API - Tiles' geodata tilesets).
const (
	IncidentsLayer = "incidents"
	PlacesLayer    = "places"
)

// validLayer reports whether layer names the layers of a tile: "" for both,
// or one of them.
func validLayer(layer string) bool {
	return layer == "" || layer == IncidentsLayer || layer == PlacesLayer
}

// layerKey is the cache key of tile t for f with layer: a tile of one layer
// is cached apart from the tile of both.
func layerKey(t maptile.Tile, f geo.Filter, layer string) string {
	if layer == "" {
		return cacheKey(t, f)
	}
	return cacheKey(t, f) + "|layer=" + layer
}
