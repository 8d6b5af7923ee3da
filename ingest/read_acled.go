package ingest

import (
	"io"
	"strconv"
	"time"

	"incidentmap/geo"
)

// acledColumns are the columns an ACLED export must have (of its 31).
var acledColumns = []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
	"actor1", "country", "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"}

// acledGeoPrecision maps ACLED's geo_precision: 1 the town itself, 2 near
// it or a part of a region, 3 only a larger region (its capital's point).
var acledGeoPrecision = map[string]string{"1": "exact", "2": "near", "3": "admin1"}

func newACLEDReader(r io.Reader) (*csvReader, error) { return newCSVReader(r, acledColumns, acledRow) }

// acledRow maps one ACLED row: id "acled-<event_id_cnty>", the ACLED
// taxonomy in snake case, time_precision 1 (day), 2 (the week around the
// date) and 3 (the month of the date), the single fatality count as ACLED's
// claim, and each named source as a source.
func acledRow(c *csvRows) (*geo.Incident, error) {
	eventID := c.get("event_id_cnty")
	if eventID == "" {
		return nil, c.fail("event_id_cnty", "is empty")
	}
	day, err := c.date("event_date")
	if err != nil {
		return nil, err
	}
	in := &geo.Incident{
		ID:           "acled-" + eventID,
		EventType:    snake(c.get("event_type")),
		SubEventType: snake(c.get("sub_event_type")),
		Location:     c.get("location"),
		Admin1:       c.get("admin1"),
		Admin2:       c.get("admin2"),
		Summary:      c.get("notes"),
		Status:       geo.StatusPublished,
		ExternalIDs:  map[string]string{"acled": eventID},
	}
	in.Title = c.get("sub_event_type") + " in " + in.Location
	switch c.get("time_precision") {
	case "1", "":
		in.StartsAt, in.EndsAt, in.DatePrecision = day, endOfDay(day), "day"
	case "2":
		in.StartsAt, in.EndsAt, in.DatePrecision = day.AddDate(0, 0, -3), endOfDay(day.AddDate(0, 0, 3)), "week"
	case "3":
		first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		in.StartsAt, in.EndsAt, in.DatePrecision = first, first.AddDate(0, 1, 0).Add(-time.Second), "month"
	default:
		return nil, c.fail("time_precision", "%q is not 1, 2 or 3", c.get("time_precision"))
	}
	var ok bool
	if in.GeoPrecision, ok = acledGeoPrecision[c.get("geo_precision")]; !ok {
		return nil, c.fail("geo_precision", "%q is not 1, 2 or 3", c.get("geo_precision"))
	}
	if in.Country, err = acledCountry(c); err != nil {
		return nil, err
	}
	if in.Geometry, err = c.point(); err != nil {
		return nil, err
	}
	for _, col := range []string{"actor1", "assoc_actor_1", "actor2", "assoc_actor_2"} {
		in.Actors = append(in.Actors, splitList(c.get(col))...)
	}
	fatalities, err := c.number("fatalities")
	if err != nil {
		return nil, err
	}
	in.Fatalities = geo.Fatalities{Best: fatalities}
	for _, publisher := range splitList(c.get("source")) {
		in.Sources = append(in.Sources, geo.Source{Publisher: publisher})
	}
	claim := geo.Claim{Claimant: "ACLED", FatalitiesLow: fatalities, FatalitiesHigh: fatalities, Statement: in.Summary}
	if ts, err := strconv.ParseInt(c.get("timestamp"), 10, 64); err == nil && ts > 0 {
		d := geo.Date{Time: time.Unix(ts, 0).UTC().Truncate(24 * time.Hour)}
		claim.ClaimedOn = &d
	}
	if len(in.Sources) > 0 {
		claim.Source = in.Sources[0].Publisher
	}
	in.Claims = []geo.Claim{claim}
	return in, nil
}

// acledCountry reads the iso column (ISO 3166-1 numeric), else the name.
func acledCountry(c *csvRows) (string, error) {
	if n, err := strconv.Atoi(c.get("iso")); err == nil {
		if a, ok := geo.CountryByNumeric(n); ok {
			return a, nil
		}
	}
	if a, ok := geo.CountryByName(c.get("country")); ok {
		return a, nil
	}
	return "", c.fail("country", "%q (iso %q) is not a country we know", c.get("country"), c.get("iso"))
}
