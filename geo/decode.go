package geo

import (
	"encoding/json"
	"fmt"
	"io"

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
// feature, naming it, and with every problem of the first invalid one.
func DecodeIncidents(r io.Reader) ([]Incident, error) {
	var fc struct {
		Features []wireFeature `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("decode incidents: %w", err)
	}
	out := make([]Incident, 0, len(fc.Features))
	for i, f := range fc.Features {
		id, _ := f.ID.(string)
		g, err := geojson.UnmarshalGeometry(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("feature %d (%s): geometry: %w", i, id, err)
		}
		var p IncidentProps
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			return nil, fmt.Errorf("feature %d (%s): properties: %w", i, id, err)
		}
		in := IncidentFromProps(id, g.Geometry(), p)
		if ps := in.Validate(); ps != nil {
			return nil, fmt.Errorf("feature %d (%s): %w", i, id, ps)
		}
		out = append(out, in)
	}
	return out, nil
}

// DecodePlaces reads a GeoJSON FeatureCollection of places in the wire form
// of PlaceProps.
func DecodePlaces(r io.Reader) ([]Place, error) {
	var fc struct {
		Features []wireFeature `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("decode places: %w", err)
	}
	out := make([]Place, 0, len(fc.Features))
	for i, f := range fc.Features {
		id, _ := f.ID.(string)
		g, err := geojson.UnmarshalGeometry(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("place %d (%s): geometry: %w", i, id, err)
		}
		var p PlaceProps
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			return nil, fmt.Errorf("place %d (%s): properties: %w", i, id, err)
		}
		pl, err := PlaceFromProps(id, g.Geometry(), p)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}
