package server

import (
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"incidentmap/geo"
)

// featureJSON is one GeoJSON feature as we write it (RFC 7946: lon,lat order,
// at most six decimals).
type featureJSON struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
	Links      []link            `json:"links,omitempty"`
}

// precision rounds coordinates to six decimals (about 11 cm).
const precision = 1e6

func incidentFeature(in *geo.Incident) featureJSON { return selectedFeature(in, nil) }

// selectedFeature renders an incident with the properties sel keeps (nil:
// all of them).
func selectedFeature(in *geo.Incident, sel *propertySelection) featureJSON {
	return featureJSON{Type: "Feature", ID: in.ID, Geometry: roundedGeometry(in.Geometry), Properties: sel.apply(in.Props())}
}

// placeFeature renders a place with holder, the holder at instant at.
func placeFeature(p *geo.Place, at time.Time) featureJSON {
	props := p.Props()
	if h := p.HolderAt(at); h != "" {
		props.Holder = &h
	}
	return featureJSON{Type: "Feature", ID: p.ID, Geometry: roundedGeometry(p.Point), Properties: props}
}

func roundedGeometry(g orb.Geometry) *geojson.Geometry {
	if g == nil {
		return nil
	}
	return geojson.NewGeometry(orb.Round(orb.Clone(g), precision))
}
