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

// The properties of each collection's wire form (geo.IncidentProps,
// geo.PlaceProps), by JSON name, with their fields.
var (
	incidentPropFields = jsonFields(reflect.TypeFor[geo.IncidentProps]())
	placePropFields    = jsonFields(reflect.TypeFor[geo.PlaceProps]())
)

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
// properties of the collection's features (fields, of the features of
// what). id and geometry are accepted and left out (they always stay); a
// name given twice counts once. An unknown name is an EInvalid error
// naming properties.
func parseProperties(q url.Values, fields map[string]int, what string) (*propertySelection, error) {
	if !q.Has("properties") {
		return nil, nil
	}
	sel := &propertySelection{}
	for _, name := range strings.Split(q.Get("properties"), ",") {
		name = strings.TrimSpace(name)
		if name == "id" || name == "geometry" || name == "" || slices.Contains(sel.names, name) {
			continue
		}
		field, ok := fields[name]
		if !ok {
			return nil, geo.Invalid("properties", "%q is not a property of %s (they are: %s)",
				safe(name), what, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		}
		sel.names, sel.fields = append(sel.names, name), append(sel.fields, field)
	}
	return sel, nil
}

// apply returns the properties of props (a wire-form struct) that s keeps,
// in order, for a feature's properties member; with a nil selection, props
// whole.
func (s *propertySelection) apply(props any) any {
	if s == nil {
		return props
	}
	v := reflect.ValueOf(props)
	out := make(orderedObject, len(s.names))
	for i, name := range s.names {
		out[i] = member{name, v.Field(s.fields[i]).Interface()}
	}
	return out
}

// csvTable is the CSV columns of a collection: header names the columns of
// its full rows, geometry the last ones a selection keeps.
type csvTable struct {
	header, geometry []string
}

var (
	incidentCSV = csvTable{header: incidentCSVHeader, geometry: []string{"longitude", "latitude", "WKT"}}
	placeCSV    = csvTable{header: placeCSVHeader, geometry: []string{"longitude", "latitude"}}
)

// csvHeader names the CSV columns of a selection: id, the selected
// properties in order, then the geometry's.
func (s *propertySelection) csvHeader(t csvTable) []string {
	return slices.Concat([]string{"id"}, s.names, t.geometry)
}

// csvRow picks the columns of csvHeader from a full row of t. A property
// without a column of its own there (an incident's external_ids, a place's
// note) is written from props, its wire form, as JSON text.
func (s *propertySelection) csvRow(t csvTable, full []string, props any) []string {
	out := make([]string, 0, len(s.names)+1+len(t.geometry))
	out = append(out, full[slices.Index(t.header, "id")])
	for i, name := range s.names {
		if c := slices.Index(t.header, name); c >= 0 {
			out = append(out, full[c])
			continue
		}
		v, _ := json.Marshal(reflect.ValueOf(props).Field(s.fields[i]).Interface())
		var text string
		if json.Unmarshal(v, &text) != nil { // not a string: the JSON text itself
			text = string(v)
		}
		out = append(out, cell(text))
	}
	for _, name := range t.geometry {
		out = append(out, full[slices.Index(t.header, name)])
	}
	return out
}

// parseSortBy reads sortby over the sortable queryables of list (see
// geo.ParseSortBy); nil when absent.
func parseSortBy(q url.Values, list []geo.Queryable) ([]geo.SortKey, error) {
	if !q.Has("sortby") {
		return nil, nil
	}
	return geo.ParseSortBy("sortby", q.Get("sortby"), list)
}

// indexSortKeys are the sortby keys the tile index follows (tiles/order.go):
// an order on any other key is PostGIS's, which sorts every match (at 1M
// incidents, sortby=title cost PostGIS 0.5 to 3 s a page).
var indexSortKeys = []string{"starts_at", "ends_at", "fatalities_best", "country", "event_type", "sub_event_type", "id"}

// sortsInDatabase reports whether q asks items in an order only PostGIS
// follows. A sortby that does not parse is not: it gets its 400 at once.
func sortsInDatabase(q url.Values) bool {
	keys, err := parseSortBy(q, geo.IncidentQueryables)
	return err == nil && slices.ContainsFunc(keys, func(k geo.SortKey) bool { return !slices.Contains(indexSortKeys, k.Property) })
}

// parseOrderAndSelection reads a listing's sortby into page (over the
// sortable queryables of list) and its properties (over fields); what
// names the collection in errors.
func parseOrderAndSelection(q url.Values, page *geo.Page, list []geo.Queryable, fields map[string]int, what string) (*propertySelection, error) {
	var err error
	if page.Sort, err = parseSortBy(q, list); err != nil {
		return nil, err
	}
	return parseProperties(q, fields, what)
}
