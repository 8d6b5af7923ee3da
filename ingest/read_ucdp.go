package ingest

import (
	"io"
	"regexp"
	"strings"

	"incidentmap/geo"
)

// ucdpColumns are the columns a UCDP GED export must have.
var ucdpColumns = []string{"id", "type_of_violence", "side_a", "side_b", "where_prec", "where_coordinates",
	"latitude", "longitude", "country", "date_prec", "date_start", "date_end", "best", "high", "low"}

// ucdpWherePrec maps UCDP's where_prec: 1 exact, 2 within 25 km, 3 second-
// order unit, 4 first-order unit, 5 a larger region, 6 the country, 7 seas
// and airspace.
var ucdpWherePrec = map[string]string{"1": "exact", "2": "near", "3": "admin2", "4": "admin1", "5": "region",
	"6": "country", "7": "region"}

// ucdpDatePrec maps UCDP's date_prec: 1 the day, 2 two to six days, 3 a week
// to a month, 4 a month, 5 up to a year.
var ucdpDatePrec = map[string]string{"1": "day", "2": "week", "3": "month", "4": "month", "5": "year"}

// ucdpViolence maps type_of_violence: 1 state-based, 2 non-state, 3 one-sided.
var ucdpViolence = map[string][2]string{"1": {"battles", "armed_clash"}, "2": {"battles", "armed_clash"},
	"3": {"violence_against_civilians", "attack"}}

// ucdpCountries are UCDP's names that are not ISO names.
var ucdpCountries = map[string]string{"dr congo (zaire)": "CD", "ivory coast": "CI", "bosnia-herzegovina": "BA",
	"russia (soviet union)": "RU", "myanmar (burma)": "MM", "cambodia (kampuchea)": "KH", "yemen (north yemen)": "YE",
	"kingdom of eswatini (swaziland)": "SZ", "macedonia, fyr": "MK", "serbia (yugoslavia)": "RS",
	"zimbabwe (rhodesia)": "ZW", "madagascar (malagasy)": "MG", "vietnam (north vietnam)": "VN"}

var parenthesis = regexp.MustCompile(`\s*\(.*\)$`)

func newUCDPReader(r io.Reader) (*csvReader, error) { return newCSVReader(r, ucdpColumns, ucdpRow) }

// ucdpRow maps one UCDP GED row: id "ucdp-<id>", low/best/high fatalities
// as UCDP's claim, the source offices as sources.
func ucdpRow(c *csvRows) (*geo.Incident, error) {
	id := c.get("id")
	if id == "" {
		return nil, c.fail("id", "is empty")
	}
	kind, ok := ucdpViolence[c.get("type_of_violence")]
	if !ok {
		return nil, c.fail("type_of_violence", "%q is not 1, 2 or 3", c.get("type_of_violence"))
	}
	in := &geo.Incident{
		ID: "ucdp-" + id, EventType: kind[0], SubEventType: kind[1], Status: geo.StatusPublished,
		Location: c.get("where_coordinates"), Admin1: c.get("adm_1"), Admin2: c.get("adm_2"),
		Summary: c.get("where_description"), ExternalIDs: map[string]string{"ucdp": id},
		Actors: nonEmpty(c.get("side_a"), c.get("side_b")),
	}
	in.Title = c.get("dyad_name")
	if in.Title == "" {
		in.Title = strings.Join(in.Actors, " - ")
	}
	in.Title += " in " + in.Location
	if in.GeoPrecision, ok = ucdpWherePrec[c.get("where_prec")]; !ok {
		return nil, c.fail("where_prec", "%q is not 1-7", c.get("where_prec"))
	}
	if in.DatePrecision, ok = ucdpDatePrec[c.get("date_prec")]; !ok {
		return nil, c.fail("date_prec", "%q is not 1-5", c.get("date_prec"))
	}
	var err error
	if in.StartsAt, err = c.date("date_start"); err != nil {
		return nil, err
	}
	end, err := c.date("date_end")
	if err != nil {
		return nil, err
	}
	in.EndsAt = endOfDay(end)
	if in.Geometry, err = c.point(); err != nil {
		return nil, err
	}
	if in.Country, err = ucdpCountry(c); err != nil {
		return nil, err
	}
	var f geo.Fatalities
	if f.Low, err = c.number("low"); err != nil {
		return nil, err
	}
	if f.Best, err = c.number("best"); err != nil {
		return nil, err
	}
	if f.High, err = c.number("high"); err != nil {
		return nil, err
	}
	in.Fatalities = f
	headline := c.get("source_headline")
	for _, office := range splitList(c.get("source_office")) {
		in.Sources = append(in.Sources, geo.Source{Publisher: office, Title: headline})
	}
	if len(in.Sources) == 0 {
		in.Sources = []geo.Source{{Publisher: "UCDP GED", Title: c.get("source_article")}}
	}
	in.Claims = []geo.Claim{{Claimant: "UCDP GED", FatalitiesLow: f.Low, FatalitiesHigh: f.High,
		Statement: c.get("source_original"), Source: in.Sources[0].Publisher}}
	return in, nil
}

func ucdpCountry(c *csvRows) (string, error) {
	name := c.get("country")
	if a, ok := ucdpCountries[strings.ToLower(name)]; ok {
		return a, nil
	}
	if a, ok := geo.CountryByName(name); ok {
		return a, nil
	}
	if a, ok := geo.CountryByName(parenthesis.ReplaceAllString(name, "")); ok {
		return a, nil
	}
	return "", c.fail("country", "%q is not a country we know", name)
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
