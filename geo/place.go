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
