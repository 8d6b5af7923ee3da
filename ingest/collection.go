package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/paulmach/orb/geojson"

	"incidentmap/geo"
)

// DecodeIncidents reads a whole GeoJSON FeatureCollection of incidents (the
// seed's) as an import reads one: each feature by DecodeFeature's rule, an
// id required, no gazetteer (every feature must carry its geometry), then
// validated. It fails on the first bad feature with a *LineError naming its
// position and field.
func DecodeIncidents(r io.Reader) ([]geo.Incident, error) {
	reader, err := ReadChecked(context.Background(), "geojson", r, nil)
	if err != nil {
		return nil, err
	}
	var out []geo.Incident
	for {
		in, err := reader.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
}

// DecodePlaces reads a GeoJSON FeatureCollection of places in the wire form
// of geo.PlaceProps, naming the feature that fails.
func DecodePlaces(r io.Reader) ([]geo.Place, error) {
	var fc struct {
		Features []struct {
			ID         string          `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties geo.PlaceProps  `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("decode places: %w", err)
	}
	out := make([]geo.Place, 0, len(fc.Features))
	for i, f := range fc.Features {
		g, err := geojson.UnmarshalGeometry(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("place %d (%s): geometry: %w", i, f.ID, err)
		}
		p, err := geo.PlaceFromProps(f.ID, g.Geometry(), f.Properties)
		if err != nil {
			return nil, fmt.Errorf("place %d (%s): %w", i, f.ID, err)
		}
		out = append(out, p)
	}
	return out, nil
}
