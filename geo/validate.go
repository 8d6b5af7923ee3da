package geo

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Problems lists everything wrong with an input, field by field.
type Problems []Problem

// Problem is one thing wrong with one field.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Field + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

func (ps *Problems) add(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

var (
	idPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Limits on the size of an incident's parts.
const (
	maxTextLen    = 20000
	maxShortLen   = 500
	maxListLen    = 200
	maxGeomPoints = 100000
)

// Validate reports every problem with the incident at once, or nil.
func (in *Incident) Validate() Problems {
	var ps Problems
	if !idPattern.MatchString(in.ID) {
		ps.add("id", "must be 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
	}
	if in.Title == "" || len(in.Title) > maxShortLen {
		ps.add("title", "is required, at most %d bytes", maxShortLen)
	}
	if len(in.Summary) > maxTextLen {
		ps.add("summary", "is longer than %d bytes", maxTextLen)
	}
	subs, ok := EventTypes[in.EventType]
	switch {
	case !ok:
		ps.add("event_type", "%q is not an ACLED event type", in.EventType)
	case in.SubEventType != "" && !slices.Contains(subs, in.SubEventType):
		ps.add("sub_event_type", "%q is not a sub-event type of %s", in.SubEventType, in.EventType)
	}
	validateGeometry(&ps, in.Geometry)
	if !countryPattern.MatchString(in.Country) {
		ps.add("country", "must be an ISO 3166-1 alpha-2 code in capitals")
	}
	if !slices.Contains(GeoPrecisions, in.GeoPrecision) {
		ps.add("geo_precision", "must be one of %s", strings.Join(GeoPrecisions, ", "))
	}
	if !slices.Contains(DatePrecisions, in.DatePrecision) {
		ps.add("date_precision", "must be one of %s", strings.Join(DatePrecisions, ", "))
	}
	if in.StartsAt.IsZero() || in.EndsAt.IsZero() {
		ps.add("starts_at", "starts_at and ends_at are required")
	} else if in.EndsAt.Before(in.StartsAt) {
		ps.add("ends_at", "is before starts_at")
	}
	if !slices.Contains(Statuses, in.Status) {
		ps.add("status", "must be one of %s", strings.Join(Statuses, ", "))
	}
	for name, n := range map[string]*int{"fatalities_low": in.Fatalities.Low,
		"fatalities_best": in.Fatalities.Best, "fatalities_high": in.Fatalities.High} {
		if n != nil && *n < 0 {
			ps.add(name, "must not be negative")
		}
	}
	if len(in.Sources) == 0 {
		ps.add("sources", "at least one source is required")
	}
	if len(in.Sources) > maxListLen || len(in.Claims) > maxListLen || len(in.Actors) > maxListLen {
		ps.add("claims", "at most %d claims, sources and actors each", maxListLen)
	}
	for i, s := range in.Sources {
		switch {
		case s.URL == "" && s.Publisher == "":
			ps.add(fmt.Sprintf("sources[%d]", i), "needs a url or a publisher")
		case len(s.URL) > 2000:
			ps.add(fmt.Sprintf("sources[%d].url", i), "is longer than 2000 bytes")
		case s.URL != "" && !isWebURL(s.URL):
			ps.add(fmt.Sprintf("sources[%d].url", i), "must be an absolute http or https URL")
		}
	}
	for i, c := range in.Claims {
		if c.Claimant == "" {
			ps.add(fmt.Sprintf("claims[%d].claimant", i), "is required")
		}
		// A claim's source is a source's URL or, lacking one, its publisher:
		// anything with a scheme must be a web address.
		if u, err := url.Parse(c.Source); err == nil && u.Scheme != "" && !isWebURL(c.Source) {
			ps.add(fmt.Sprintf("claims[%d].source", i), "must be an http or https URL or a publisher's name")
		}
	}
	return ps
}

// isWebURL reports whether s is an absolute http(s) URL.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validateGeometry(ps *Problems, g orb.Geometry) {
	if g == nil {
		ps.add("geometry", "is required")
		return
	}
	n := 0
	bad := false
	visit(g, func(p orb.Point) {
		n++
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			bad = true
		}
	})
	if bad {
		ps.add("geometry", "coordinates must be longitude within -180..180 and latitude within -90..90")
	}
	if n == 0 || n > maxGeomPoints {
		ps.add("geometry", "must have between 1 and %d points", maxGeomPoints)
	}
}

// visit calls fn for every point of g.
func visit(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		eachPoint(g, fn)
	case orb.LineString:
		eachPoint(g, fn)
	case orb.Ring:
		eachPoint(g, fn)
	case orb.MultiLineString:
		eachPart(g, fn)
	case orb.Polygon:
		eachPart(g, fn)
	case orb.MultiPolygon:
		eachPart(g, fn)
	case orb.Collection:
		eachPart(g, fn)
	}
}

func eachPoint[S ~[]orb.Point](points S, fn func(orb.Point)) {
	for _, p := range points {
		fn(p)
	}
}

func eachPart[S ~[]G, G orb.Geometry](parts S, fn func(orb.Point)) {
	for _, g := range parts {
		visit(g, fn)
	}
}
