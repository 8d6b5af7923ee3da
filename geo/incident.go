package geo

import (
	"time"

	"github.com/paulmach/orb"
)

// Incident is one event at one place over one time interval, with every
// competing claim about it and the sources that report it.
type Incident struct {
	ID            string // stable public id, e.g. "moura-2022-03"
	Title         string
	Summary       string
	EventType     string // ACLED event type, see EventTypes
	SubEventType  string // ACLED sub-event type of EventType
	Geometry      orb.Geometry
	Location      string // place name as reported
	PlaceID       string // gazetteer place, when known
	Country       string // ISO 3166-1 alpha-2
	Admin1        string
	Admin2        string
	GeoPrecision  string // see GeoPrecisions
	StartsAt      time.Time
	EndsAt        time.Time // inclusive; never before StartsAt
	DatePrecision string    // see DatePrecisions
	Actors        []string
	Fatalities    Fatalities
	Status        string // see Statuses
	ExternalIDs   map[string]string
	Claims        []Claim
	Sources       []Source
	Synthetic     bool // generated for benchmarks, never real data
	Revision      int  // grows by one with every write; the ETag of the incident
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Fatalities is a range of deaths; nil means nobody gave a figure.
type Fatalities struct {
	Low, Best, High *int
}

// Claim is what one claimant said about an incident, and when.
type Claim struct {
	Claimant       string
	ClaimedOn      *Date
	FatalitiesLow  *int
	FatalitiesHigh *int
	Statement      string
	Source         string // URL of one of the incident's sources
}

// Source is a document that reports an incident.
type Source struct {
	URL         string
	Publisher   string
	Title       string
	PublishedOn *Date
	Language    string // ISO 639-1
	Note        string // e.g. where the source is known to be wrong
}

// Date is a calendar day (no time of day, no zone).
type Date struct{ time.Time }

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	return Date{t}, err
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// Statuses of an incident. Only published incidents are shown without a token.
var Statuses = []string{"draft", "published", "retracted"}

// StatusPublished is the only status the public sees.
const StatusPublished = "published"

// DatePrecisions says how exact StartsAt and EndsAt are.
var DatePrecisions = []string{"day", "week", "month", "year"}

// GeoPrecisions says how exact a geometry is, finest first.
var GeoPrecisions = []string{"exact", "near", "admin2", "admin1", "region", "country"}

// EventTypes is the ACLED taxonomy: each event type with its sub-event types.
var EventTypes = map[string][]string{
	"battles": {"armed_clash", "government_regains_territory", "non_state_actor_overtakes_territory"},
	"explosions_remote_violence": {"chemical_weapon", "air_drone_strike", "suicide_bomb",
		"shelling_artillery_missile_attack", "remote_explosive_landmine_ied", "grenade"},
	"violence_against_civilians": {"sexual_violence", "attack", "abduction_forced_disappearance"},
	"protests":                   {"peaceful_protest", "protest_with_intervention", "excessive_force_against_protesters"},
	"riots":                      {"violent_demonstration", "mob_violence"},
	"strategic_developments": {"agreement", "arrests", "change_to_group_activity", "disrupted_weapons_use",
		"headquarters_or_base_established", "looting_property_destruction", "non_violent_transfer_of_territory", "other"},
}

// IsSubEventType reports whether s is a sub-event type of any event type.
func IsSubEventType(s string) bool {
	for _, subs := range EventTypes {
		for _, sub := range subs {
			if sub == s {
				return true
			}
		}
	}
	return false
}

// Summary is the part of an incident that a map draws: enough to filter it
// by time and attributes and to label it, without claims or sources.
type Summary struct {
	ID, Title, Location string
	Geometry            orb.Geometry
	StartsAt, EndsAt    time.Time
	EventType           string
	SubEventType        string
	Country             string
	GeoPrecision        string
	FatalitiesBest      *int
	Publishers          []string // of its sources, one per source that names one, trimmed
}

// Write says how to write one incident.
type Write struct {
	Author     string // token name, recorded in the revision
	IfRevision int    // > 0: fail with EConflict unless the stored revision is this one
	Create     bool   // the incident must not exist yet (EConflict when it does)
	Replace    bool   // the incident must exist (ENotFound when it does not)
	Patch      []byte // the RFC 7396 merge patch from the previous version, when known
}

// Revision is one version of an incident in its history.
type Revision struct {
	Revision int        `json:"revision"`
	Op       string     `json:"op"` // create, update, delete
	Author   string     `json:"author"`
	From     time.Time  `json:"valid_from"`
	To       *time.Time `json:"valid_to"` // nil: current
	Status   string     `json:"status,omitempty"`
	Changes  []byte     `json:"-"` // RFC 7396 merge patch from the previous version
}

// Change is one entry of the change feed: an incident written or deleted.
type Change struct {
	Seq        int64     `json:"seq"`
	IncidentID string    `json:"id"`
	Op         string    `json:"op"` // create, update, delete
	At         time.Time `json:"at"`
}
