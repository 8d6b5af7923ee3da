package cql2

import (
	"time"

	"incidentmap/geo"
)

// IncidentColumns maps each incident queryable to its column in store's
// incidents table, aliased i: the columns argument of ToSQL for items,
// exports and tiles built by PostGIS.
var IncidentColumns = map[string]string{
	"id": "i.id", "title": "i.title", "summary": "i.summary", "location": "i.location", "country": "i.country",
	"admin1": "i.admin1", "admin2": "i.admin2", "event_type": "i.event_type", "sub_event_type": "i.sub_event_type",
	"starts_at": "i.starts_at", "ends_at": "i.ends_at", "date_precision": "i.date_precision",
	"geo_precision": "i.geo_precision", "fatalities_low": "i.fatalities_low", "fatalities_best": "i.fatalities_best",
	"fatalities_high": "i.fatalities_high", "actors": "i.actors", "status": "i.status",
	"updated_at": "i.updated_at", "geometry": "i.geom",
}

func str(s string) Value        { return Value{Str: s} }
func instant(t time.Time) Value { return Value{Time: t.UnixMicro()} }
func count(n *int) Value {
	if n == nil {
		return Value{Null: true}
	}
	return Value{Num: float64(*n)}
}

// IncidentAccessors reads every incident queryable of a whole incident:
// those of SummaryAccessors (through the summary of the incident) and the
// rest.
var IncidentAccessors = incidentAccessors(Accessors[*geo.Incident]{
	"summary":         func(i *geo.Incident) Value { return str(i.Summary) },
	"admin1":          func(i *geo.Incident) Value { return str(i.Admin1) },
	"admin2":          func(i *geo.Incident) Value { return str(i.Admin2) },
	"date_precision":  func(i *geo.Incident) Value { return str(i.DatePrecision) },
	"fatalities_low":  func(i *geo.Incident) Value { return count(i.Fatalities.Low) },
	"fatalities_high": func(i *geo.Incident) Value { return count(i.Fatalities.High) },
	"actors":          func(i *geo.Incident) Value { return Value{Strs: i.Actors} },
	"status":          func(i *geo.Incident) Value { return str(i.Status) },
	"updated_at":      func(i *geo.Incident) Value { return instant(i.UpdatedAt) },
})

// incidentAccessors adds to rest an accessor of each summary queryable.
func incidentAccessors(rest Accessors[*geo.Incident]) Accessors[*geo.Incident] {
	for name, get := range SummaryAccessors {
		rest[name] = func(i *geo.Incident) Value {
			s := summaryOf(i)
			return get(&s)
		}
	}
	return rest
}

// summaryOf is the part of i a summary holds.
func summaryOf(i *geo.Incident) geo.Summary {
	return geo.Summary{ID: i.ID, Title: i.Title, Location: i.Location, Geometry: i.Geometry,
		StartsAt: i.StartsAt, EndsAt: i.EndsAt, EventType: i.EventType, SubEventType: i.SubEventType,
		Country: i.Country, GeoPrecision: i.GeoPrecision, FatalitiesBest: i.Fatalities.Best}
}

// SummaryAccessors reads the queryables a geo.Summary holds. The tile
// index keeps less than a summary (titles and locations cut to a length):
// the accessors it hands Covered and Predicate must leave out what it
// does not hold whole, or a filter on it would differ from PostGIS.
var SummaryAccessors = Accessors[*geo.Summary]{
	"id":              func(s *geo.Summary) Value { return str(s.ID) },
	"title":           func(s *geo.Summary) Value { return str(s.Title) },
	"location":        func(s *geo.Summary) Value { return str(s.Location) },
	"country":         func(s *geo.Summary) Value { return str(s.Country) },
	"event_type":      func(s *geo.Summary) Value { return str(s.EventType) },
	"sub_event_type":  func(s *geo.Summary) Value { return str(s.SubEventType) },
	"starts_at":       func(s *geo.Summary) Value { return instant(s.StartsAt) },
	"ends_at":         func(s *geo.Summary) Value { return instant(s.EndsAt) },
	"geo_precision":   func(s *geo.Summary) Value { return str(s.GeoPrecision) },
	"fatalities_best": func(s *geo.Summary) Value { return count(s.FatalitiesBest) },
	"geometry":        func(s *geo.Summary) Value { return Value{Geom: s.Geometry} },
}
