package ingest

import (
	"context"
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/paulmach/orb/geojson"

	"incidentmap/geo"
)

// Options say what differs between the ways one incident feature arrives:
// only where its id comes from, and whether it can be placed. The rest of
// the verdict is the same for every way (see DecodeFeature).
type Options struct {
	// IDOptional lets a feature come without an id: POST, where the server
	// makes one. Otherwise an id is required (imports and the seed are
	// idempotent by id).
	IDOptional bool
	// PathID, when set, is the id the URL names (PUT, PATCH): the feature's
	// own id must be it or absent.
	PathID string
	// Gazetteer places a feature that has a location and no geometry; nil
	// leaves it unplaced (validation then says the geometry is required).
	Gazetteer Gazetteer
}

// Gazetteer finds the one place a name means (see store.Geocode).
type Gazetteer interface {
	Geocode(ctx context.Context, name, country, admin string) (geo.Place, error)
}

// feature is a GeoJSON Feature of an incident as it comes in. Members of
// its own that the feature does not use (bbox, links) are let be, as
// GeoJSON allows; its properties are strict.
type feature struct {
	Type       string            `json:"type"`
	ID         any               `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties strictProps       `json:"properties"`
}

// v1 decodes with encoding/json's rules on the faster engine of
// encoding/json/v2 (about 8 µs a typical feature against 13).
var v1 = jsonv1.DefaultOptionsV1()

// strictProps decodes properties by v1's rules, refusing any member the
// wire form does not have, in claims and sources too; null leaves p nil.
type strictProps struct{ p *geo.IncidentProps }

func (s *strictProps) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	s.p = new(geo.IncidentProps)
	return jsonv2.UnmarshalDecode(dec, s.p, v1, jsonv2.RejectUnknownMembers(true))
}

// DecodeFeature reads one GeoJSON Feature of an incident. The one rule, for
// POST/PUT/PATCH, every GeoJSON import and the seed alike:
//
//   - the body is a JSON object whose "type" is "Feature";
//   - "id", when present, is a string; where it must come from is opt's;
//   - "properties" is an object of the wire form (geo.IncidentProps); a
//     property it does not know is refused, naming it;
//   - "geometry" is a GeoJSON geometry, or null/absent: then a "location" is
//     placed against opt.Gazetteer at the place's precision;
//   - absent "status", "date_precision" and "geo_precision" become
//     "published", "day" and "exact" (placing coarsens "exact" to the
//     place's precision).
//
// A feature that breaks the rule is a *geo.Error (EInvalid) naming the
// member; the gazetteer's refusals come back as it gave them. It does not
// validate: the caller runs Incident.Validate, once the id is settled.
func DecodeFeature(ctx context.Context, raw []byte, opt Options) (geo.Incident, error) {
	var f feature
	if err := jsonv2.Unmarshal(raw, &f, v1); err != nil {
		return geo.Incident{}, decodeError(raw, opt, err)
	}
	id, err := featureID(f.Type, f.ID, opt)
	if err != nil {
		return geo.Incident{}, err
	}
	p := f.Properties.p
	if p == nil {
		return geo.Incident{}, geo.Invalid("properties", "are required")
	}
	applyDefaults(p)
	in := geo.IncidentFromProps(id, nil, *p)
	if f.Geometry != nil {
		in.Geometry = f.Geometry.Geometry()
	} else if in.Location != "" && opt.Gazetteer != nil {
		place, err := opt.Gazetteer.Geocode(ctx, in.Location, in.Country, in.Admin1)
		if err != nil {
			return geo.Incident{}, err
		}
		geo.PlaceAt(&in, place)
	}
	return in, nil
}

// featureHead is a feature read for its parts, to name the one at fault.
type featureHead struct {
	Type     string          `json:"type"`
	ID       any             `json:"id"`
	Geometry json.RawMessage `json:"geometry"`
}

// decodeError names what made a feature fail to decode: the body when it
// is no JSON object, else the first of type, id, geometry and properties at
// fault. Only failures pay for this second reading.
func decodeError(raw []byte, opt Options, err error) error {
	var outer featureHead
	if e := jsonv1.Unmarshal(raw, &outer); e != nil {
		return geo.Invalid("body", "is not a GeoJSON Feature: %v", e)
	}
	if _, e := featureID(outer.Type, outer.ID, opt); e != nil {
		return e
	}
	if len(outer.Geometry) > 0 && string(outer.Geometry) != "null" {
		if _, e := geojson.UnmarshalGeometry(outer.Geometry); e != nil {
			return geo.Invalid("geometry", "is not a GeoJSON geometry: %v", e)
		}
	}
	return geo.Invalid("properties", "%v", err)
}

// featureID checks a feature's type and applies opt's rule to its id.
func featureID(typ string, v any, opt Options) (string, error) {
	id, _ := v.(string)
	switch {
	case typ != "Feature":
		return "", geo.Invalid("type", "must be \"Feature\"")
	case v != nil && id == "":
		return "", geo.Invalid("id", "must be a non-empty string")
	case opt.PathID != "" && id != "" && id != opt.PathID:
		return "", geo.Invalid("id", "%q differs from the id in the path", id)
	case opt.PathID != "":
		return opt.PathID, nil
	case id == "" && !opt.IDOptional:
		return "", geo.Invalid("id", "is required: imports are idempotent by id")
	}
	return id, nil
}

// applyDefaults fills the properties a feature may leave out.
func applyDefaults(p *geo.IncidentProps) {
	if p.Status == "" {
		p.Status = geo.StatusPublished
	}
	if p.DatePrecision == "" {
		p.DatePrecision = "day"
	}
	if p.GeoPrecision == "" {
		p.GeoPrecision = "exact"
	}
}
