package geo

import (
	"slices"
	"sort"
)

// Queryable is a property a filter may name (OGC API Features Part 3), with
// its JSON Schema: Type (string, integer, number, array), Format (date-time
// for instants; geometry-any or geometry-point for the geometry, which has
// no Type), Enum where the domain closes the values, and Role (the
// x-ogc-role of OGC API Features Part 5, when the property has one).
// Sortable properties are the keys sortby may name.
type Queryable struct {
	Name        string
	Title       string
	Description string
	Type        string
	Format      string
	Items       string // the type of an array's items
	Enum        []string
	Minimum     *int
	Role        string
	Sortable    bool
}

// IncidentQueryables are the properties of incidents that filters and
// sortby may name, in the order of interface.md. Claims and sources are
// nested lists, neither queryable nor sortable.
var IncidentQueryables = []Queryable{
	{Name: "id", Title: "Identifier", Type: "string", Role: "id", Sortable: true,
		Description: "Stable public id of the incident."},
	{Name: "title", Title: "Title", Type: "string", Sortable: true},
	{Name: "summary", Title: "Summary", Type: "string"},
	{Name: "location", Title: "Location", Type: "string", Sortable: true, Description: "Place name as reported."},
	{Name: "country", Title: "Country", Type: "string", Sortable: true,
		Description: "ISO 3166-1 alpha-2 code, upper case."},
	{Name: "admin1", Title: "First-level administrative division", Type: "string", Sortable: true},
	{Name: "admin2", Title: "Second-level administrative division", Type: "string"},
	{Name: "event_type", Title: "Event type", Type: "string", Enum: sortedKeys(EventTypes), Sortable: true,
		Description: "ACLED event type."},
	{Name: "sub_event_type", Title: "Sub-event type", Type: "string", Enum: subEventTypes(), Sortable: true,
		Description: "ACLED sub-event type."},
	{Name: "starts_at", Title: "Start", Type: "string", Format: "date-time", Role: "primary-interval-start",
		Sortable: true, Description: "When the incident began (RFC 3339)."},
	{Name: "ends_at", Title: "End", Type: "string", Format: "date-time", Role: "primary-interval-end",
		Sortable: true, Description: "When the incident ended, inclusive (RFC 3339); never before starts_at."},
	{Name: "date_precision", Title: "Date precision", Type: "string", Enum: DatePrecisions,
		Description: "How exact starts_at and ends_at are."},
	{Name: "geo_precision", Title: "Location precision", Type: "string", Enum: GeoPrecisions,
		Description: "How exact the geometry is, finest first."},
	{Name: "fatalities_low", Title: "Fatalities (low)", Type: "integer", Minimum: &zero, Sortable: true,
		Description: "Lowest credible death toll; null when nobody gave a figure."},
	{Name: "fatalities_best", Title: "Fatalities (best)", Type: "integer", Minimum: &zero, Sortable: true,
		Description: "Best estimate of the death toll; null when nobody gave a figure."},
	{Name: "fatalities_high", Title: "Fatalities (high)", Type: "integer", Minimum: &zero, Sortable: true,
		Description: "Highest credible death toll; null when nobody gave a figure."},
	{Name: "actors", Title: "Actors", Type: "array", Items: "string"},
	{Name: "status", Title: "Status", Type: "string", Enum: Statuses,
		Description: "Only published incidents are shown without a token."},
	{Name: "updated_at", Title: "Last update", Type: "string", Format: "date-time",
		Sortable: true, Description: "When the incident was last written (RFC 3339)."},
	{Name: "geometry", Title: "Geometry", Format: "geometry-any", Role: "primary-geometry",
		Description: "A point, or a line or area (CRS84)."},
}

// PlaceQueryables are the properties of places that filters and sortby
// may name.
var PlaceQueryables = []Queryable{
	{Name: "id", Title: "Identifier", Type: "string", Role: "id", Sortable: true},
	{Name: "name", Title: "Name", Type: "string", Sortable: true},
	{Name: "alt_names", Title: "Other names", Type: "array", Items: "string"},
	{Name: "kind", Title: "Kind", Type: "string", Enum: PlaceKinds, Sortable: true},
	{Name: "country", Title: "Country", Type: "string", Sortable: true, Description: "ISO 3166-1 alpha-2 code, upper case."},
	{Name: "admin1", Title: "First-level administrative division", Type: "string", Sortable: true},
	{Name: "admin2", Title: "Second-level administrative division", Type: "string"},
	{Name: "geo_precision", Title: "Location precision", Type: "string", Enum: GeoPrecisions},
	{Name: "geometry", Title: "Geometry", Format: "geometry-point", Role: "primary-geometry",
		Description: "The place's point (CRS84)."},
}

var zero = 0

// FindQueryable returns the queryable of list with the given name.
func FindQueryable(list []Queryable, name string) (Queryable, bool) {
	i := slices.IndexFunc(list, func(q Queryable) bool { return q.Name == name })
	if i < 0 {
		return Queryable{}, false
	}
	return list[i], true
}

// SortableNames are the names of list's sortable queryables, in order.
func SortableNames(list []Queryable) []string {
	var out []string
	for _, q := range list {
		if q.Sortable {
			out = append(out, q.Name)
		}
	}
	return out
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// subEventTypes lists every sub-event type once, sorted.
func subEventTypes() []string {
	var out []string
	for _, subs := range EventTypes {
		out = append(out, subs...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
