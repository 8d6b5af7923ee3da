package geo

import (
	"time"

	"github.com/paulmach/orb"
)

// Place is a town, village or military site of the gazetteer.
type Place struct {
	ID               string
	Name             string
	AltNames         []string
	Kind             string // see PlaceKinds
	Country          string // ISO 3166-1 alpha-2
	Admin1, Admin2   string
	Point            orb.Point
	GeoPrecision     string // coarse when the exact point was not found
	GeoNote          string
	Note             string
	CoordinateSource string
	Control          []ControlPeriod // oldest first; empty when nobody holds it
}

// PlaceKinds lists the kinds of place.
var PlaceKinds = []string{"city", "town", "village", "military_base", "camp"}

// ControlPeriod says who held a base over [From, To). A nil bound is unknown
// or open.
type ControlPeriod struct {
	Holder string
	From   *Date
	To     *Date
	Source string
	Note   string
}

// HolderAt returns who held the place at instant t, or "" when no control
// period covers t. A period covers t when From <= t < To: on the handover day
// the new holder holds.
func (p Place) HolderAt(t time.Time) string {
	for _, c := range p.Control {
		if c.From != nil && t.Before(c.From.Time) {
			continue
		}
		if c.To != nil && !t.Before(c.To.Time) {
			continue
		}
		return c.Holder
	}
	return ""
}

// PlaceAt puts an incident at a gazetteer place: its point, and no more
// precisely than the gazetteer knows the place (a place without a
// precision leaves the incident's as it is). Fields already set stay.
func PlaceAt(in *Incident, p Place) {
	in.Geometry, in.PlaceID = p.Point, p.ID
	if in.Country == "" {
		in.Country = p.Country
	}
	if in.Admin1 == "" {
		in.Admin1 = p.Admin1
	}
	if in.Admin2 == "" {
		in.Admin2 = p.Admin2
	}
	if p.GeoPrecision != "" && (in.GeoPrecision == "" || precisionRank(p.GeoPrecision) > precisionRank(in.GeoPrecision)) {
		in.GeoPrecision = p.GeoPrecision
	}
}

// precisionRank orders geo precisions, finest first; unknown ones last.
func precisionRank(p string) int {
	for i, v := range GeoPrecisions {
		if v == p {
			return i
		}
	}
	return len(GeoPrecisions)
}
