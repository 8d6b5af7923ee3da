package geo

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// wireFeature is a GeoJSON feature whose properties are decoded later.
type wireFeature struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// DecodeIncidents reads a GeoJSON FeatureCollection of incidents in the wire
// form of IncidentProps and validates each. It fails on the first malformed
// or invalid feature, naming it, with every problem of that feature.
func DecodeIncidents(r io.Reader) ([]Incident, error) {
	return decodeCollection(r, "incident", func(id string, g orb.Geometry, raw json.RawMessage) (Incident, error) {
		var p IncidentProps
		if err := json.Unmarshal(raw, &p); err != nil {
			return Incident{}, err
		}
		in := IncidentFromProps(id, g, p)
		if ps := in.Validate(); ps != nil {
			return Incident{}, ps
		}
		return in, nil
	})
}

// DecodePlaces reads a GeoJSON FeatureCollection of places in the wire form
// of PlaceProps.
func DecodePlaces(r io.Reader) ([]Place, error) {
	return decodeCollection(r, "place", func(id string, g orb.Geometry, raw json.RawMessage) (Place, error) {
		var p PlaceProps
		if err := json.Unmarshal(raw, &p); err != nil {
			return Place{}, err
		}
		return PlaceFromProps(id, g, p)
	})
}

// decodeCollection decodes every feature of a FeatureCollection with build,
// naming the feature that fails.
func decodeCollection[T any](r io.Reader, what string, build func(string, orb.Geometry, json.RawMessage) (T, error)) ([]T, error) {
	var fc struct {
		Features []wireFeature `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("decode %ss: %w", what, err)
	}
	out := make([]T, 0, len(fc.Features))
	for i, f := range fc.Features {
		id, _ := f.ID.(string)
		g, err := geojson.UnmarshalGeometry(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("%s %d (%s): geometry: %w", what, i, id, err)
		}
		v, err := build(id, g.Geometry(), f.Properties)
		if err != nil {
			return nil, fmt.Errorf("%s %d (%s): %w", what, i, id, err)
		}
		out = append(out, v)
	}
	return out, nil
}
