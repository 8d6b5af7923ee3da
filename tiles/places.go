package tiles

import (
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// placeFeatures returns the places inside tile t, with the holder of each
// base at instant at.
func placeFeatures(places []geo.Place, t maptile.Tile, at time.Time) []*geojson.Feature {
	x0, y0, shift := tileOrigin(t)
	span := uint64(1) << (32 - t.Z)
	var out []*geojson.Feature
	for i := range places {
		p := &places[i]
		x, y := worldXY(p.Point)
		if uint64(x-x0) >= span || uint64(y-y0) >= span || x < x0 || y < y0 {
			continue
		}
		props := geojson.Properties{
			"id":            p.ID,
			"name":          p.Name,
			"kind":          p.Kind,
			"geo_precision": p.GeoPrecision,
		}
		if h := p.HolderAt(at); h != "" {
			props["holder"] = h
		}
		out = append(out, &geojson.Feature{
			Geometry:   orb.Point{float64((x - x0) >> shift), float64((y - y0) >> shift)},
			Properties: props,
		})
	}
	return out
}
