package server

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// twoIncidents is a shelf of two incidents with every property set.
func twoIncidents() incidentShelf {
	best := 12
	in := func(id, title string) geo.Incident {
		return geo.Incident{ID: id, Title: title, Summary: "s", EventType: "battles", Geometry: orb.Point{-4.6, 14.33},
			Location: "Moura", Country: "ML", StartsAt: time.Date(2022, 3, 27, 0, 0, 0, 0, time.UTC),
			EndsAt: time.Date(2022, 3, 31, 0, 0, 0, 0, time.UTC), Fatalities: geo.Fatalities{Best: &best},
			Status: geo.StatusPublished, ExternalIDs: map[string]string{"acled": "MLI1"}, Actors: []string{"FAMa"}}
	}
	return incidentShelf{list: []geo.Incident{in("moura-2022-03", "Moura"), in("=cmd", "=HYPERLINK()")}}
}

func TestQueryablesAreAJSONSchemaOfEachCollection(t *testing.T) {
	s := New(Config{Incidents: twoIncidents(), Places: gazetteer{}, PublicURL: "https://example.org", Logger: quietLogger()})
	for id, want := range map[string][]geo.Queryable{"incidents": geo.IncidentQueryables, "places": geo.PlaceQueryables} {
		rec := get(t, s, "/collections/"+id+"/queryables")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/schema+json" {
			t.Fatalf("%s: %d %s %s", id, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		var doc struct {
			Schema     string                    `json:"$schema"`
			ID         string                    `json:"$id"`
			Type       string                    `json:"type"`
			Additional *bool                     `json:"additionalProperties"`
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" || doc.ID != "https://example.org/collections/"+id+"/queryables" ||
			doc.Type != "object" || doc.Additional == nil || *doc.Additional || len(doc.Properties) != len(want) {
			t.Errorf("%s: %s", id, rec.Body)
		}
		// Members keep the order of the list, which a reader sees.
		if first := want[0].Name; !strings.HasPrefix(rec.Body.String()[strings.Index(rec.Body.String(), `"properties"`):], `"properties":{"`+first+`"`) {
			t.Errorf("%s: %s is not the first property: %s", id, first, rec.Body)
		}
		etag := rec.Header().Get("ETag")
		if again := get(t, s, "/collections/"+id+"/queryables", "If-None-Match", etag); etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("%s: ETag %q, revalidation %d", id, etag, again.Code)
		}
	}
	rec := get(t, s, "/collections/incidents/queryables")
	var doc struct{ Properties map[string]map[string]any }
	_ = json.Unmarshal(rec.Body.Bytes(), &doc)
	for name, want := range map[string]map[string]any{
		"starts_at":       {"type": "string", "format": "date-time", "x-ogc-role": "primary-interval-start"},
		"fatalities_best": {"type": "integer", "minimum": 0.0},
		"geometry":        {"format": "geometry-any", "x-ogc-role": "primary-geometry"},
		"date_precision":  {"enum": []any{"day", "week", "month", "year"}},
		"actors":          {"type": "array", "items": map[string]any{"type": "string"}},
	} {
		for k, v := range want {
			if !reflect.DeepEqual(doc.Properties[name][k], v) {
				t.Errorf("%s.%s = %v, want %v", name, k, doc.Properties[name][k], v)
			}
		}
	}
	if enum, _ := doc.Properties["event_type"]["enum"].([]any); len(enum) != len(geo.EventTypes) {
		t.Errorf("event_type enum %v", enum)
	}

	t.Run("linked from the collection, declared in the conformance", func(t *testing.T) {
		rec := get(t, s, "/collections/incidents")
		if !strings.Contains(rec.Body.String(), `"href":"https://example.org/collections/incidents/queryables","rel":"`+relQueryables+`"`) ||
			!strings.Contains(rec.Header().Get("Link"), relQueryables) {
			t.Errorf("collection: %s %s", rec.Header().Get("Link"), rec.Body)
		}
		if rec := get(t, s, "/conformance"); !strings.Contains(rec.Body.String(), "ogcapi-features-3/1.0/conf/queryables") {
			t.Errorf("conformance: %s", rec.Body)
		}
	})
	t.Run("an unknown collection is a 404, a parameter a 400", func(t *testing.T) {
		if rec := get(t, s, "/collections/nope/queryables"); rec.Code != http.StatusNotFound {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
		if rec := get(t, s, "/collections/incidents/queryables?bbox=1,2,3,4"); rec.Code != http.StatusBadRequest {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestBadSortbyAndPropertiesAre400sNamingThem(t *testing.T) {
	s := New(Config{Incidents: twoIncidents(), Logger: quietLogger()})
	for query, param := range map[string]string{
		"sortby=nope":         "sortby",
		"sortby=summary":      "sortby", // a queryable, not sortable
		"sortby=geometry":     "sortby",
		"sortby=":             "sortby",
		"sortby=+title,,-id":  "sortby",
		"sortby=title,-title": "sortby",
		"sortby=--title":      "sortby",
		"sortby=title,country,admin1,ends_at,fatalities_best": "sortby", // five keys
		"sortby=%C3%28":                 "sortby",
		"properties=nope":               "properties",
		"properties=title,geometry2":    "properties",
		"properties=title&sortby=+nope": "sortby",
	} {
		for _, f := range []string{"json", "csv", "geojsonseq", "html"} {
			rec := get(t, s, "/collections/incidents/items?f="+f+"&"+query)
			var body errorBody
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != http.StatusBadRequest || body.Parameter != param {
				t.Errorf("f=%s&%s: %d %s", f, query, rec.Code, rec.Body)
			}
		}
	}
	for _, ok := range []string{"sortby=-fatalities_best", "sortby=%2Bstarts_at,-id", "sortby=+title", "sortby=title,%20country",
		"properties=title", "properties=id,title,title,external_ids,geometry"} {
		if rec := get(t, s, "/collections/incidents/items?"+ok); rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", ok, rec.Code, rec.Body)
		}
	}
}

func TestPropertiesKeepOnlyTheSelectionInItsOrder(t *testing.T) {
	s := New(Config{Incidents: twoIncidents(), Logger: quietLogger()})
	const items = "/collections/incidents/items?properties=fatalities_best,title,external_ids,id"

	rec := get(t, s, items)
	var page struct {
		Features []struct {
			ID         string
			Geometry   json.RawMessage
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page.Features) != 2 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	f := page.Features[0]
	if f.ID != "moura-2022-03" || len(f.Geometry) < 10 ||
		string(f.Properties) != `{"fatalities_best":12,"title":"Moura","external_ids":{"acled":"MLI1"}}` {
		t.Errorf("feature: %s %s %s", f.ID, f.Geometry, f.Properties)
	}

	rec = get(t, s, items+"&f=geojsonseq")
	sc := bufio.NewScanner(rec.Body)
	sc.Scan()
	if line := sc.Text(); !strings.Contains(line, `"properties":{"fatalities_best":12,"title":"Moura","external_ids":{"acled":"MLI1"}}`) {
		t.Errorf("geojsonseq: %s", line)
	}

	rec = get(t, s, items+"&f=csv")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v %s", err, rec.Body)
	}
	if want := []string{"id", "fatalities_best", "title", "external_ids", "longitude", "latitude", "WKT"}; !slices.Equal(rows[0], want) {
		t.Errorf("csv header %v, want %v", rows[0], want)
	}
	if want := []string{"moura-2022-03", "12", "Moura", `{"acled":"MLI1"}`, "-4.6", "14.33", "POINT(-4.6 14.33)"}; !slices.Equal(rows[1], want) {
		t.Errorf("csv row %v, want %v", rows[1], want)
	}
	if rows[2][2] != "'=HYPERLINK()" { // the selection keeps the guard against formulas
		t.Errorf("csv title %q", rows[2][2])
	}
}

// Every queryable but the id and the geometry is a property of the
// features, so that properties can select whatever a filter names.
func TestQueryablesArePropertiesOfTheFeatures(t *testing.T) {
	for _, q := range geo.IncidentQueryables {
		if _, ok := incidentPropFields[q.Name]; !ok && q.Name != "id" && q.Name != "geometry" {
			t.Errorf("%s is queryable but not a property of incidents", q.Name)
		}
	}
}

func TestPlacesTakeSortbyAndProperties(t *testing.T) {
	gossi := geo.Place{ID: "gossi", Name: "Gossi", Kind: "military_base", Country: "ML", Point: orb.Point{-1.3, 15.82},
		Note: "base", Control: []geo.ControlPeriod{{Holder: "France"}}}
	s := New(Config{Places: gazetteer{places: []geo.Place{gossi}}, Logger: quietLogger()})
	const items = "/collections/places/items?sortby=-kind&properties=kind,holder,note"

	rec := get(t, s, items)
	if !strings.Contains(rec.Body.String(), `"properties":{"kind":"military_base","holder":"France","note":"base"}`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	rows, err := csv.NewReader(get(t, s, items+"&f=csv").Body).ReadAll()
	want := [][]string{{"id", "kind", "holder", "note", "longitude", "latitude"}, {"gossi", "military_base", "France", "base", "-1.3", "15.82"}}
	if err != nil || !reflect.DeepEqual(rows, want) {
		t.Errorf("csv %v %v, want %v", rows, err, want)
	}
	for query, param := range map[string]string{"sortby=starts_at": "sortby", "sortby=alt_names": "sortby", "properties=title": "properties"} {
		rec := get(t, s, "/collections/places/items?"+query)
		var body errorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != http.StatusBadRequest || body.Parameter != param {
			t.Errorf("%s: %d %s", query, rec.Code, rec.Body)
		}
	}
}
