package server

import (
	"encoding/json"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"incidentmap/geo"
)

// propertySelection is the properties parameter (OGC API Features Part 6):
// the properties each feature keeps, in the order asked. The id and the
// geometry always stay. A nil selection keeps every property.
type propertySelection struct {
	names  []string
	fields []int // of geo.IncidentProps, one per name
}

// incidentPropFields maps each property of an incident's wire form
// (geo.IncidentProps, by its JSON name) to its field.
var incidentPropFields = jsonFields(reflect.TypeFor[geo.IncidentProps]())

// jsonFields maps the JSON names of t's fields to their positions.
func jsonFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

// parseProperties reads properties: a comma-separated list of the names of
// incident properties. id and geometry are accepted and left out (they
// always stay); a name given twice counts once. An unknown name is an EInvalid error
// naming properties.
func parseProperties(q url.Values) (*propertySelection, error) {
	if !q.Has("properties") {
		return nil, nil
	}
	sel := &propertySelection{}
	for _, name := range strings.Split(q.Get("properties"), ",") {
		name = strings.TrimSpace(name)
		if name == "id" || name == "geometry" || name == "" || slices.Contains(sel.names, name) {
			continue
		}
		field, ok := incidentPropFields[name]
		if !ok {
			return nil, geo.Invalid("properties", "%q is not a property of incidents (they are: %s)",
				safe(name), strings.Join(slices.Sorted(maps.Keys(incidentPropFields)), ", "))
		}
		sel.names, sel.fields = append(sel.names, name), append(sel.fields, field)
	}
	return sel, nil
}

// apply returns the properties of p that s keeps, in order, for a
// feature's properties member; with a nil selection, p whole.
func (s *propertySelection) apply(p geo.IncidentProps) any {
	if s == nil {
		return p
	}
	v := reflect.ValueOf(p)
	out := make(orderedObject, len(s.names))
	for i, name := range s.names {
		out[i] = member{name, v.Field(s.fields[i]).Interface()}
	}
	return out
}

// csvHeader names the CSV columns of a selection: id, the selected
// properties in order, then the geometry (longitude, latitude, WKT).
func (s *propertySelection) csvHeader() []string {
	return slices.Concat([]string{"id"}, s.names, []string{"longitude", "latitude", "WKT"})
}

// csvRow picks the columns of csvHeader from the incident's full row
// (incidentCSVRow). A property without a column of its own there
// (external_ids, place_id, synthetic) is written as JSON text.
func (s *propertySelection) csvRow(in *geo.Incident, full []string) []string {
	out := make([]string, 0, len(s.names)+4)
	out = append(out, full[slices.Index(incidentCSVHeader, "id")])
	var props reflect.Value
	for i, name := range s.names {
		if c := slices.Index(incidentCSVHeader, name); c >= 0 {
			out = append(out, full[c])
			continue
		}
		if !props.IsValid() {
			props = reflect.ValueOf(in.Props())
		}
		v, _ := json.Marshal(props.Field(s.fields[i]).Interface())
		var text string
		if json.Unmarshal(v, &text) != nil { // not a string: the JSON text itself
			text = string(v)
		}
		out = append(out, cell(text))
	}
	for _, name := range []string{"longitude", "latitude", "WKT"} {
		out = append(out, full[slices.Index(incidentCSVHeader, name)])
	}
	return out
}

// parseSortBy reads sortby for incidents (see geo.ParseSortBy); nil when
// absent.
func parseSortBy(q url.Values) ([]geo.SortKey, error) {
	if !q.Has("sortby") {
		return nil, nil
	}
	return geo.ParseSortBy("sortby", q.Get("sortby"), geo.IncidentQueryables)
}

// indexSortKeys are the sortby keys the tile index follows (tiles/order.go):
// an order on any other key is PostGIS's, which sorts every match (at 1M
// incidents, sortby=title cost PostGIS 0.5 to 3 s a page).
var indexSortKeys = []string{"starts_at", "ends_at", "fatalities_best", "country", "event_type", "sub_event_type", "id"}

// sortsInDatabase reports whether q asks items in an order only PostGIS
// follows. A sortby that does not parse is not: it gets its 400 at once.
func sortsInDatabase(q url.Values) bool {
	keys, err := parseSortBy(q)
	return err == nil && slices.ContainsFunc(keys, func(k geo.SortKey) bool { return !slices.Contains(indexSortKeys, k.Property) })
}
