package server

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// Parameters each kind of route accepts; anything else is a 400, as OGC API
// Features requires.
var (
	incidentFilterParams = []string{"datetime", "bbox", "event_type", "sub_event_type", "country", "admin1",
		"actor", "min_fatalities", "q", "as_of", "filter", "filter-lang", "filter-crs"}
	incidentItemsParams = append([]string{"f", "limit", "offset", "status", "sortby", "properties"}, incidentFilterParams...)
	placeItemsParams    = []string{"f", "limit", "offset", "bbox", "datetime", "country", "kind", "q", "sortby", "properties"}
	onlyFormat          = []string{"f"}
)

// Limits on parameter values.
const (
	maxParamLen   = 1000
	maxListValues = 50
	maxWordLen    = 200
)

var countryCode = regexp.MustCompile(`^[A-Za-z]{2}$`)

// checkParams refuses parameters the route does not define, parameters
// repeated with different values, invalid UTF-8 and oversized values. A
// parameter repeated with one value means that value: GDAL's OGCAPI driver
// appends the query it was opened with to links that already carry it
// (collectionTileFilters), in its own escaping.
func checkParams(q url.Values, allowed []string) error {
	for name, values := range q {
		if !contains(allowed, name) {
			return geo.Invalid(safe(name), "is not a parameter of this route (allowed: %s)", strings.Join(allowed, ", "))
		}
		if slices.ContainsFunc(values[1:], func(v string) bool { return v != values[0] }) {
			return geo.Invalid(name, "is given more than once, with different values")
		}
		if !utf8.ValidString(values[0]) {
			return geo.Invalid(name, "is not valid UTF-8")
		}
		if len(values[0]) > maxParamLen && name != "filter" { // cql2.Parse holds filter to cql2.MaxLength
			return geo.Invalid(name, "is longer than %d bytes", maxParamLen)
		}
	}
	return nil
}

// safe shortens a value or name for an error message and keeps it valid,
// non-empty text.
func safe(s string) string {
	if s == "" {
		return "(empty)"
	}
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseFilter reads the shared incident filters of interface.md.
func parseFilter(q url.Values) (geo.Filter, error) {
	var f geo.Filter
	var err error
	if v := q.Get("datetime"); q.Has("datetime") {
		if f.Time, err = geo.ParseInterval("datetime", v); err != nil {
			return f, err
		}
	}
	if f.BBox, err = parseBBox(q); err != nil {
		return f, err
	}
	if f.EventTypes, err = parseList(q, "event_type", func(v string) bool { _, ok := geo.EventTypes[v]; return ok },
		"is not an ACLED event type (battles, explosions_remote_violence, violence_against_civilians, protests, riots, strategic_developments)"); err != nil {
		return f, err
	}
	if f.SubEventTypes, err = parseList(q, "sub_event_type", geo.IsSubEventType, "is not an ACLED sub-event type"); err != nil {
		return f, err
	}
	if f.Countries, err = parseList(q, "country", countryCode.MatchString, "is not an ISO 3166-1 alpha-2 country code"); err != nil {
		return f, err
	}
	for i, c := range f.Countries {
		f.Countries[i] = strings.ToUpper(c)
	}
	if f.Admin1, err = parseList(q, "admin1", anyWord, "must be 1-200 characters"); err != nil {
		return f, err
	}
	if f.Actors, err = parseList(q, "actor", anyWord, "must be 1-200 characters"); err != nil {
		return f, err
	}
	if q.Has("min_fatalities") {
		n, err := parseInt(q.Get("min_fatalities"), "min_fatalities", 0, 1_000_000_000)
		if err != nil {
			return f, err
		}
		f.MinFatalities = &n
	}
	if q.Has("q") {
		if f.Query = strings.TrimSpace(q.Get("q")); len(f.Query) > maxWordLen || f.Query == "" {
			return f, geo.Invalid("q", "must be 1-%d characters", maxWordLen)
		}
	}
	if q.Has("as_of") {
		t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(q.Get("as_of")))
		if err != nil {
			return f, geo.Invalid("as_of", "%q is not an RFC 3339 instant (e.g. 2023-06-01T00:00:00Z)", safe(q.Get("as_of")))
		}
		f.AsOf = &t
	}
	cql, err := parseCQL(q)
	if cql != nil { // a nil *cql2.Filter must not become a non-nil geo.Expression
		f.CQL = cql
	}
	return f, err
}

// parseCQL reads filter, filter-lang and filter-crs (OGC API Features
// Part 3) against the incident queryables: nil without a filter, a 400
// naming the parameter for anything wrong. The viewer, embeds and map.png
// read them through parseFilter, which calls it.
//
// filter-lang=cql-text, the draft name of cql2-text that GDAL before 3.7
// sends, is read as cql2-text: its comparisons of properties with strings
// and numbers are CQL2 (a date it quotes as a string is refused, 400).
func parseCQL(q url.Values) (*cql2.Filter, error) {
	lang := q.Get("filter-lang")
	if lang == "cql-text" {
		lang = cql2.LangText
	}
	return cql2.ParseParams(q.Get("filter"), lang, q.Get("filter-crs"), q.Has("filter"), cql2.IncidentQueryables)
}

// parseStatuses reads status, which only token holders may use.
func parseStatuses(q url.Values, authenticated bool) ([]string, error) {
	if !q.Has("status") {
		return nil, nil
	}
	if !authenticated {
		return nil, &geo.Error{Code: geo.EUnauthorized, Param: "status",
			Message: "only token holders see drafts and retracted incidents"}
	}
	return parseList(q, "status", func(v string) bool { return contains(geo.Statuses, v) },
		"is not a status (draft, published, retracted)")
}

func parseBBox(q url.Values) (*geo.BBox, error) {
	if !q.Has("bbox") {
		return nil, nil
	}
	b, err := geo.ParseBBox("bbox", q.Get("bbox"))
	return &b, err
}

func anyWord(v string) bool { return len(v) <= maxWordLen }

// parseList reads a comma-separated parameter whose values are alternatives.
func parseList(q url.Values, name string, valid func(string) bool, problem string) ([]string, error) {
	if !q.Has(name) {
		return nil, nil
	}
	var out []string
	for _, v := range strings.Split(q.Get(name), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if !valid(v) {
			return nil, geo.Invalid(name, "%q %s", safe(v), problem)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, geo.Invalid(name, "is empty")
	}
	if len(out) > maxListValues {
		return nil, geo.Invalid(name, "has more than %d values", maxListValues)
	}
	return out, nil
}

// maxOffset is the deepest page: PostGIS reads and throws away every row
// before an offset, and the index sorts them, so an offset buys work in
// proportion (at 1M incidents on 2 busy cores, offset 100,000 of admin1=Mopti
// cost PostGIS 6.9 s; 10,000 cost 0.4-1.0 s, against 0.17 s for the first
// page). Later matches are reached by narrower filters, or all at once by an
// export, which streams. See deepOffset.
const maxOffset = 10_000

// parsePage reads limit and offset. A limit above max is clamped to max, as
// OGC API Features requires; max 0 means no maximum (an export, which
// streams: a huge limit means every match). Without a limit, pages are def
// long (0: everything). How deep an offset may go depends on who answers:
// see deepOffset.
func parsePage(q url.Values, def, max int) (geo.Page, error) {
	p := geo.Page{Limit: def}
	var err error
	if q.Has("limit") {
		if p.Limit, err = parseInt(q.Get("limit"), "limit", 1, 1<<31-1); err != nil {
			return p, err
		}
	}
	if max > 0 && p.Limit > max {
		p.Limit = max
	}
	if q.Has("offset") {
		if p.Offset, err = parseInt(q.Get("offset"), "offset", 0, 1<<31-1); err != nil {
			return p, err
		}
	}
	return p, nil
}

// deepOffset refuses a page past maxOffset, on the paths where an offset
// costs work in proportion (PostGIS reads and throws away every row before
// it). The in-memory index answers any offset in milliseconds, so pages it
// answers are not refused: a client following next links reads on.
func deepOffset(p geo.Page) error {
	if p.Offset <= maxOffset {
		return nil
	}
	return geo.Invalid("offset", "must be at most %d for this filter: narrow the filters (datetime, bbox, "+
		"country...) to reach later matches, or export them all with f=csv or f=geojsonseq and no offset", maxOffset)
}

func parseInt(v, name string, min, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, geo.Invalid(name, "%q is not an integer", safe(v))
	}
	if n < min || n > max {
		return 0, geo.Invalid(name, "must be between %d and %d", min, max)
	}
	return n, nil
}

// Response formats.
const (
	fJSON       = "json"
	fHTML       = "html"
	fGeoJSONSeq = "geojsonseq"
	fCSV        = "csv"
)

// jsonOrHTML answers the f of a document that takes no other parameter:
// JSON or HTML, as negotiate picks.
func jsonOrHTML(c echo.Context) (string, error) {
	if err := checkParams(c.QueryParams(), onlyFormat); err != nil {
		return "", err
	}
	return negotiate(c, fJSON, fHTML)
}

// negotiate picks the response format: the f parameter when given (it must
// be one of allowed), else the Accept header, else the first allowed.
func negotiate(c echo.Context, allowed ...string) (string, error) {
	if f := c.QueryParam("f"); f != "" {
		f = strings.ToLower(f)
		if !contains(allowed, f) {
			return "", geo.Invalid("f", "%q is not a format of this route (allowed: %s)", safe(f), strings.Join(allowed, ", "))
		}
		return f, nil
	}
	accept := c.Request().Header.Get("Accept")
	for _, part := range strings.Split(accept, ",") {
		media, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		var f string
		switch strings.ToLower(media) {
		case "text/html", "application/xhtml+xml":
			f = fHTML
		case "application/json", "application/geo+json", "application/schema+json", "application/vnd.oai.openapi+json":
			f = fJSON
		case "application/geo+json-seq", "application/json-seq":
			f = fGeoJSONSeq
		case "text/csv":
			f = fCSV
		default:
			f = fileFormatOf(media)
		}
		if f != "" && contains(allowed, f) {
			return f, nil
		}
	}
	return allowed[0], nil
}
