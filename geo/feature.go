package geo

import (
	"encoding/json"
	"time"

	"github.com/paulmach/orb"
)

// IncidentProps is the wire form of an incident's properties: the GeoJSON
// properties of interface.md, in that order. The wire form stays with the
// domain because every side speaks it: the server writes it, the store
// keeps claims and sources in it, and package ingest reads it.
type IncidentProps struct {
	Title          string            `json:"title"`
	Summary        string            `json:"summary"`
	Location       string            `json:"location"`
	PlaceID        string            `json:"place_id,omitempty"`
	Country        string            `json:"country"`
	Admin1         string            `json:"admin1"`
	Admin2         string            `json:"admin2"`
	EventType      string            `json:"event_type"`
	SubEventType   string            `json:"sub_event_type"`
	StartsAt       time.Time         `json:"starts_at"`
	EndsAt         time.Time         `json:"ends_at"`
	DatePrecision  string            `json:"date_precision"`
	GeoPrecision   string            `json:"geo_precision"`
	FatalitiesLow  *int              `json:"fatalities_low"`
	FatalitiesBest *int              `json:"fatalities_best"`
	FatalitiesHigh *int              `json:"fatalities_high"`
	Actors         []string          `json:"actors"`
	Claims         []ClaimJSON       `json:"claims"`
	Sources        []SourceJSON      `json:"sources"`
	Status         string            `json:"status"`
	ExternalIDs    map[string]string `json:"external_ids"`
	Synthetic      bool              `json:"synthetic,omitempty"`
	UpdatedAt      *time.Time        `json:"updated_at,omitempty"`
}

// ClaimJSON is the wire form of a Claim.
type ClaimJSON struct {
	Claimant       string `json:"claimant"`
	ClaimedOn      *Date  `json:"claimed_on"`
	FatalitiesLow  *int   `json:"fatalities_low"`
	FatalitiesHigh *int   `json:"fatalities_high"`
	Statement      string `json:"statement"`
	Source         string `json:"source"`
}

// SourceJSON is the wire form of a Source.
type SourceJSON struct {
	URL         string `json:"url"`
	Publisher   string `json:"publisher"`
	Title       string `json:"title"`
	PublishedOn *Date  `json:"published_on"`
	Language    string `json:"language"`
	Note        string `json:"note,omitempty"`
}

// MarshalJSON writes a Date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// Props returns the wire form of the incident's properties.
func (in *Incident) Props() IncidentProps {
	p := IncidentProps{
		Title: in.Title, Summary: in.Summary, Location: in.Location, PlaceID: in.PlaceID,
		Country: in.Country, Admin1: in.Admin1, Admin2: in.Admin2,
		EventType: in.EventType, SubEventType: in.SubEventType,
		StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), DatePrecision: in.DatePrecision,
		GeoPrecision:  in.GeoPrecision,
		FatalitiesLow: in.Fatalities.Low, FatalitiesBest: in.Fatalities.Best, FatalitiesHigh: in.Fatalities.High,
		Actors: nonNil(in.Actors), Status: in.Status, ExternalIDs: in.ExternalIDs, Synthetic: in.Synthetic,
		Claims: make([]ClaimJSON, len(in.Claims)), Sources: make([]SourceJSON, len(in.Sources)),
	}
	if p.ExternalIDs == nil {
		p.ExternalIDs = map[string]string{}
	}
	if !in.UpdatedAt.IsZero() {
		t := in.UpdatedAt.UTC()
		p.UpdatedAt = &t
	}
	for i, c := range in.Claims {
		p.Claims[i] = ClaimJSON(c)
	}
	for i, s := range in.Sources {
		p.Sources[i] = SourceJSON(s)
	}
	return p
}

// IncidentFromProps builds an incident from its wire form.
func IncidentFromProps(id string, g orb.Geometry, p IncidentProps) Incident {
	in := Incident{
		ID: id, Title: p.Title, Summary: p.Summary, Location: p.Location, PlaceID: p.PlaceID,
		Country: p.Country, Admin1: p.Admin1, Admin2: p.Admin2, Geometry: g,
		EventType: p.EventType, SubEventType: p.SubEventType,
		StartsAt: p.StartsAt, EndsAt: p.EndsAt, DatePrecision: p.DatePrecision, GeoPrecision: p.GeoPrecision,
		Fatalities: Fatalities{Low: p.FatalitiesLow, Best: p.FatalitiesBest, High: p.FatalitiesHigh},
		Actors:     p.Actors, Status: p.Status, ExternalIDs: p.ExternalIDs, Synthetic: p.Synthetic,
	}
	for _, c := range p.Claims {
		in.Claims = append(in.Claims, Claim(c))
	}
	for _, s := range p.Sources {
		in.Sources = append(in.Sources, Source(s))
	}
	return in
}

// PlaceProps is the wire form of a place's properties.
type PlaceProps struct {
	Name             string        `json:"name"`
	AltNames         []string      `json:"alt_names"`
	Kind             string        `json:"kind"`
	Country          string        `json:"country"`
	Admin1           string        `json:"admin1"`
	Admin2           string        `json:"admin2"`
	GeoPrecision     string        `json:"geo_precision"`
	GeoNote          string        `json:"geo_note"`
	Note             string        `json:"note"`
	CoordinateSource string        `json:"coordinate_source"`
	Control          []ControlJSON `json:"control"`
	Holder           *string       `json:"holder"`
}

// ControlJSON is the wire form of a ControlPeriod.
type ControlJSON struct {
	Holder string `json:"holder"`
	From   *Date  `json:"from"`
	To     *Date  `json:"to"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

// Props returns the wire form of the place's properties, without holder.
func (p *Place) Props() PlaceProps {
	out := PlaceProps{
		Name: p.Name, AltNames: nonNil(p.AltNames), Kind: p.Kind, Country: p.Country,
		Admin1: p.Admin1, Admin2: p.Admin2, GeoPrecision: p.GeoPrecision, GeoNote: p.GeoNote,
		Note: p.Note, CoordinateSource: p.CoordinateSource, Control: make([]ControlJSON, len(p.Control)),
	}
	for i, c := range p.Control {
		out.Control[i] = ControlJSON(c)
	}
	return out
}

// PlaceFromProps builds a place from its wire form. The geometry must be a
// Point.
func PlaceFromProps(id string, g orb.Geometry, p PlaceProps) (Place, error) {
	pt, ok := g.(orb.Point)
	if !ok {
		return Place{}, Invalid("geometry", "place %s: geometry must be a Point", id)
	}
	out := Place{
		ID: id, Name: p.Name, AltNames: p.AltNames, Kind: p.Kind, Country: p.Country,
		Admin1: p.Admin1, Admin2: p.Admin2, Point: pt, GeoPrecision: p.GeoPrecision,
		GeoNote: p.GeoNote, Note: p.Note, CoordinateSource: p.CoordinateSource,
	}
	for _, c := range p.Control {
		out.Control = append(out.Control, ControlPeriod(c))
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
