package ingest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// gazetteer knows one place, Sévaré, near precision; it refuses any other
// name as store.Geocode does.
type gazetteer struct{}

func (gazetteer) Geocode(_ context.Context, name, _, _ string) (geo.Place, error) {
	if name != "Sévaré" {
		return geo.Place{}, &geo.Error{Code: geo.EUnprocessable, Param: "location", Message: name + " is not in the gazetteer"}
	}
	return geo.Place{ID: "sevare", Point: orb.Point{-4.09, 14.52}, Country: "ML", Admin1: "Mopti", GeoPrecision: "near"}, nil
}

// verdict is what one way of arriving made of a feature: the incident, or
// the field refused and the message.
type verdict struct {
	in           *geo.Incident
	field, cause string
}

// Each way a feature arrives, as its caller calls the decoder.
var ways = map[string]func(feature string) verdict{
	// server/write.go's decodeFeature (POST) then validate.
	"POST": func(feature string) verdict {
		in, err := DecodeFeature(context.Background(), []byte(feature), Options{IDOptional: true, Gazetteer: gazetteer{}})
		if err == nil {
			if ps := in.Validate(); ps != nil {
				return verdict{field: ps[0].Field, cause: ps.Error()}
			}
			return verdict{in: &in}
		}
		var e *geo.Error
		if !errors.As(err, &e) {
			return verdict{cause: "not a *geo.Error: " + err.Error()}
		}
		return verdict{field: e.Param, cause: e.Message}
	},
	"import geojson": func(feature string) verdict {
		return readOne("geojson", `{"type": "FeatureCollection", "features": [`+feature+`]}`, gazetteer{})
	},
	"import geojsonseq": func(feature string) verdict {
		return readOne("geojsonseq", "\x1e"+strings.ReplaceAll(feature, "\n", " ")+"\n", gazetteer{})
	},
	// internal/cli's Seed: the bundled collection, no gazetteer.
	"seed": func(feature string) verdict {
		ins, err := DecodeIncidents(strings.NewReader(`{"type": "FeatureCollection", "features": [` + feature + `]}`))
		if err != nil {
			return lineVerdict(err)
		}
		return verdict{in: &ins[0]}
	},
}

func readOne(format, file string, g Gazetteer) verdict {
	r, err := ReadChecked(context.Background(), format, strings.NewReader(file), g)
	if err != nil {
		return verdict{cause: err.Error()}
	}
	in, err := r.Next()
	if err != nil {
		return lineVerdict(err)
	}
	return verdict{in: in}
}

// lineVerdict reads an import's refusal, which must name line 1.
func lineVerdict(err error) verdict {
	var le *LineError
	if !errors.As(err, &le) || le.Line != 1 {
		return verdict{cause: "not a *LineError of line 1: " + err.Error()}
	}
	return verdict{field: le.Field, cause: le.Err.Error()}
}

// incident is a whole feature of the wire form; extra is spliced into its
// properties, and geometry replaces its point.
func incident(geometry, extra string) string {
	return `{"type": "Feature", "id": "test-1", "geometry": ` + geometry + `,
		"properties": {"title": "Clash near Sévaré", "event_type": "battles", "sub_event_type": "armed_clash",
		"location": "Sévaré", "country": "ML", "starts_at": "2022-05-10T00:00:00Z", "ends_at": "2022-05-10T23:59:59Z",
		"sources": [{"url": "https://example.org/a", "publisher": "Example"}]` + extra + `}}`
}

const point = `{"type": "Point", "coordinates": [-4, 14]}`

// TestOneVerdictWhicheverWay feeds the same features through every way an
// incident arrives: each must get the same verdict and, when accepted, the
// same incident to store.
func TestOneVerdictWhicheverWay(t *testing.T) {
	for name, tt := range map[string]struct {
		feature   string
		field     string // refused naming this field; "" accepted
		cause     string // the refusal's message holds this
		check     func(*geo.Incident) string
		noSeedMap bool // the seed has no gazetteer: it refuses geometry instead
	}{
		"foreign members of the feature are let be": {
			feature: strings.Replace(incident(point, ""), `"type": "Feature", `, `"type": "Feature", "bbox": [-4, 14, -4, 14], "links": [], `, 1)},
		"a complete feature": {feature: incident(point, `, "geo_precision": "near", "status": "draft", "date_precision": "week"`),
			check: func(in *geo.Incident) string {
				if in.GeoPrecision != "near" || in.Status != "draft" || in.DatePrecision != "week" {
					return "given values lost: " + in.GeoPrecision + " " + in.Status + " " + in.DatePrecision
				}
				return ""
			}},
		"absent precisions and status take their defaults": {feature: incident(point, ""),
			check: func(in *geo.Incident) string {
				if in.GeoPrecision != "exact" || in.Status != "published" || in.DatePrecision != "day" {
					return "defaults " + in.GeoPrecision + " " + in.Status + " " + in.DatePrecision
				}
				return ""
			}},
		"an unknown property is refused by name": {feature: incident(point, `, "colour": "red"`),
			field: "properties", cause: `"colour"`},
		"an unknown member of a source is refused by name": {
			feature: strings.Replace(incident(point, ""), `"publisher": "Example"`, `"publisher": "Example", "lang": "fr"`, 1),
			field:   "properties", cause: `"lang"`},
		"a property of the wrong type is refused by name": {feature: incident(point, `, "fatalities_best": "six"`),
			field: "properties", cause: "fatalities_best"},
		"no type": {feature: strings.Replace(incident(point, ""), `"type": "Feature", `, "", 1),
			field: "type", cause: "Feature"},
		"a number as id": {feature: strings.Replace(incident(point, ""), `"test-1"`, "7", 1),
			field: "id", cause: "string"},
		"null properties": {feature: `{"type": "Feature", "id": "test-1", "geometry": ` + point + `, "properties": null}`,
			field: "properties", cause: "required"},
		"a geometry that is not GeoJSON": {feature: incident(`{"type": "Blob", "coordinates": [1]}`, ""),
			field: "geometry"},
		"longitude 200": {feature: incident(`{"type": "Point", "coordinates": [200, 14]}`, ""),
			field: "geometry", cause: "longitude"},
		"ends before it starts": {feature: incident(point, `, "ends_at": "2022-05-01T00:00:00Z"`),
			field: "ends_at"},
		"a location alone is placed, at the place's precision": {feature: incident("null", ""), noSeedMap: true,
			check: func(in *geo.Incident) string {
				if in.PlaceID != "sevare" || in.GeoPrecision != "near" || in.Geometry != (orb.Point{-4.09, 14.52}) {
					return "placed at " + in.PlaceID + " " + in.GeoPrecision
				}
				return ""
			}},
		"an unknown place is refused by name": {feature: strings.Replace(incident("null", ""), "Sévaré\", \"country", "Nowhereville\", \"country", 1),
			noSeedMap: true, field: "location", cause: "Nowhereville"},
	} {
		t.Run(name, func(t *testing.T) {
			var first *geo.Incident
			for way, decode := range ways {
				got := decode(tt.feature)
				field, cause := tt.field, tt.cause
				if way == "seed" && tt.noSeedMap {
					field, cause = "geometry", "required"
				}
				switch {
				case field == "" && got.in == nil:
					t.Errorf("%s refused it: %s: %s", way, got.field, got.cause)
				case field != "" && (got.field != field || !strings.Contains(got.cause, cause)):
					t.Errorf("%s: refused %q (%s), want %q naming %q", way, got.field, got.cause, field, cause)
				case field == "" && tt.check != nil:
					if msg := tt.check(got.in); msg != "" {
						t.Errorf("%s: %s", way, msg)
					}
				}
				if got.in == nil || way == "seed" && tt.noSeedMap {
					continue
				}
				if first == nil {
					first = got.in
				} else if !reflect.DeepEqual(first, got.in) {
					t.Errorf("%s stores\n%+v\nanother way stores\n%+v", way, got.in, first)
				}
			}
		})
	}
}

// TestWhereTheIDComesFrom pins the one thing the ways may differ in: POST
// takes a feature without an id (the server makes one), PUT and PATCH take
// the path's, and imports and the seed need one.
func TestWhereTheIDComesFrom(t *testing.T) {
	noID := strings.Replace(incident(point, ""), `"id": "test-1", `, "", 1)
	ctx := context.Background()
	if in, err := DecodeFeature(ctx, []byte(noID), Options{IDOptional: true}); err != nil || in.ID != "" {
		t.Errorf("POST without id: %q, %v", in.ID, err)
	}
	if in, err := DecodeFeature(ctx, []byte(noID), Options{IDOptional: true, PathID: "p-1"}); err != nil || in.ID != "p-1" {
		t.Errorf("PUT without id: %q, %v", in.ID, err)
	}
	var e *geo.Error
	if _, err := DecodeFeature(ctx, []byte(incident(point, "")), Options{PathID: "p-1"}); !errors.As(err, &e) || e.Param != "id" {
		t.Errorf("PUT with another id: %v", err)
	}
	for _, way := range []string{"import geojson", "import geojsonseq", "seed"} {
		if got := ways[way](noID); got.field != "id" {
			t.Errorf("%s without id: %+v", way, got)
		}
	}
}
