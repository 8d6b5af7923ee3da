package main

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// The checks of the incident-store issue, against the seeded Sahel data.
func TestSahelSeedAnswersTheAnalystsQuestions(t *testing.T) {
	a := testapp.Start(t)
	mouraBox := "-5,14,-4,15"

	t.Run("Moura is in 27-31 March 2022, not in May 2022", func(t *testing.T) {
		if ids := a.Incidents(t, testapp.Q("datetime", "2022-03-27/2022-03-31", "bbox", mouraBox)).IDs(); !slices.Contains(ids, "moura-2022-03") {
			t.Errorf("March window: %v", ids)
		}
		if ids := a.Incidents(t, testapp.Q("datetime", "2022-05-01/2022-05-31", "bbox", mouraBox)).IDs(); slices.Contains(ids, "moura-2022-03") {
			t.Errorf("May window holds Moura: %v", ids)
		}
	})
	t.Run("19-24 April 2022 around Hombori and Gossi holds both", func(t *testing.T) {
		ids := a.Incidents(t, testapp.Q("datetime", "2022-04-19/2022-04-24", "bbox", "-2,15,-1,16.5")).IDs()
		if !slices.Contains(ids, "hombori-2022-04-19") || !slices.Contains(ids, "gossi-mass-grave-2022-04") {
			t.Errorf("got %v", ids)
		}
	})
	t.Run("nothing of 2022 before 2022", func(t *testing.T) {
		if fc := a.Incidents(t, testapp.Q("datetime", "../2021-12-31")); fc.NumberMatched != 0 {
			t.Errorf("got %v", fc.IDs())
		}
	})
	t.Run("24 April 2022 holds the camp attacks at Sévaré, Niono and Bapho", func(t *testing.T) {
		ids := a.Incidents(t, testapp.Q("datetime", "2022-04-24")).IDs()
		for _, want := range []string{"central-mali-camps-2022-04-24-sevare", "central-mali-camps-2022-04-24-niono",
			"central-mali-camps-2022-04-24-bapho"} {
			if !slices.Contains(ids, want) {
				t.Errorf("%s missing from %v", want, ids)
			}
		}
	})
	t.Run("every incident has a source and a claim; Moura has four claims", func(t *testing.T) {
		fc := a.Incidents(t, testapp.Q("limit", "1000"))
		if fc.NumberMatched < 14 || fc.NumberReturned != fc.NumberMatched {
			t.Fatalf("matched %d returned %d", fc.NumberMatched, fc.NumberReturned)
		}
		for _, f := range fc.Features {
			claims, _ := f.Properties["claims"].([]any)
			sources, _ := f.Properties["sources"].([]any)
			if len(claims) == 0 || len(sources) == 0 {
				t.Errorf("%s: %d claims, %d sources", f.ID, len(claims), len(sources))
			}
			if f.ID == "moura-2022-03" && len(claims) != 4 {
				t.Errorf("Moura has %d claims, want 4", len(claims))
			}
		}
	})
	t.Run("Gossi is held by France until 19 April 2022, by Mali after", func(t *testing.T) {
		holder := func(window string) any {
			var f struct{ Properties map[string]any }
			a.GetJSON(t, "/collections/places/items/gossi?"+testapp.Q("datetime", window), http.StatusOK, &f)
			return f.Properties["holder"]
		}
		if h := holder("2022-04-01/2022-04-20"); h != "Mali" {
			t.Errorf("window ending 2022-04-20: holder %v", h)
		}
		if h := holder("2022-04-01/2022-04-18"); h != "France" {
			t.Errorf("window ending 2022-04-18: holder %v", h)
		}
		var fc testapp.FeatureCollection
		a.GetJSON(t, "/collections/places/items?"+testapp.Q("datetime", "2022-04-18", "q", "gossi"), http.StatusOK, &fc)
		if len(fc.Features) != 1 || fc.Features[0].Properties["holder"] != "France" {
			t.Errorf("places items for 2022-04-18: %+v", fc.Features)
		}
	})
	t.Run("places whose coordinates were not found say so", func(t *testing.T) {
		for _, id := range []string{"boulkessi", "gaskinde", "pobe-mengao"} {
			var f struct{ Properties map[string]any }
			a.GetJSON(t, "/collections/places/items/"+id, http.StatusOK, &f)
			if p := f.Properties["geo_precision"]; p == "exact" || p == "near" {
				t.Errorf("%s claims precision %v", id, p)
			}
		}
	})
}

func TestItemsPagingAndExports(t *testing.T) {
	a := testapp.Start(t)

	t.Run("pages follow next and prev links", func(t *testing.T) {
		first := a.Incidents(t, testapp.Q("limit", "5"))
		if first.NumberReturned != 5 || first.Link("next") == "" || first.Link("prev") != "" {
			t.Fatalf("first page: returned %d, links %+v", first.NumberReturned, first.Links)
		}
		var second testapp.FeatureCollection
		a.GetJSON(t, strings.TrimPrefix(first.Link("next"), a.URL), http.StatusOK, &second)
		if second.NumberReturned == 0 || second.Link("prev") == "" {
			t.Fatalf("second page: %+v", second.Links)
		}
		for _, id := range second.IDs() {
			if slices.Contains(first.IDs(), id) {
				t.Errorf("%s on both pages", id)
			}
		}
	})
	t.Run("a limit above the maximum is clamped", func(t *testing.T) {
		if fc := a.Incidents(t, testapp.Q("limit", "1000000")); fc.NumberReturned != fc.NumberMatched {
			t.Errorf("returned %d of %d", fc.NumberReturned, fc.NumberMatched)
		}
	})
	all := a.Incidents(t, testapp.Q("limit", "10000"))
	t.Run("CSV has a header and every incident", func(t *testing.T) {
		res, body := a.Get(t, "/collections/incidents/items?f=csv")
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type %q", ct)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != all.NumberMatched+1 || rows[0][0] != "id" {
			t.Errorf("%d rows for %d incidents; header %v", len(rows), all.NumberMatched, rows[0])
		}
	})
	t.Run("GeoJSONSeq has one RS-separated feature per incident", func(t *testing.T) {
		res, body := a.Get(t, "/collections/incidents/items?f=geojsonseq")
		if ct := res.Header.Get("Content-Type"); ct != "application/geo+json-seq" {
			t.Errorf("content type %q", ct)
		}
		if n := bytes.Count(body, []byte{0x1e}); n != all.NumberMatched {
			t.Errorf("%d records for %d incidents", n, all.NumberMatched)
		}
	})
	t.Run("HTML escapes and lists", func(t *testing.T) {
		res, body := a.Get(t, "/collections/incidents/items?f=html&datetime=2022-03-27")
		if !strings.Contains(string(body), "Moura") || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("html page: %s", body)
		}
	})
}

func TestBadInputGets400NamingTheParameter(t *testing.T) {
	a := testapp.Start(t)
	tests := []struct{ query, param string }{
		{"bbox=1,2,3", "bbox"},
		{"bbox=a,b,c,d", "bbox"},
		{"datetime=yesterday", "datetime"},
		{"datetime=2022-05-01/2022-03-01", "datetime"},
		{"limit=abc", "limit"},
		{"limit=0", "limit"},
		{"limit=-5", "limit"},
		{"min_fatalities=-1", "min_fatalities"},
		{"min_fatalities=lots", "min_fatalities"},
		{"event_type=picnic", "event_type"},
		{"country=Mali", "country"},
		{"f=xml", "f"},
		{"color=red", "color"},
		{"limit=1&limit=2", "limit"},
		{"q=" + strings.Repeat("x", 6000), "q"},
		{"datetime=%FF", "datetime"},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 40)], func(t *testing.T) {
			var body struct{ Code, Description, Parameter string }
			a.GetJSON(t, "/collections/incidents/items?"+tt.query, http.StatusBadRequest, &body)
			if body.Parameter != tt.param || !strings.Contains(body.Description, tt.param) || body.Code == "" {
				t.Errorf("body %+v does not name %s", body, tt.param)
			}
		})
	}
	t.Run("unknown collection and feature are 404", func(t *testing.T) {
		a.GetJSON(t, "/collections/nope", http.StatusNotFound, nil)
		a.GetJSON(t, "/collections/incidents/items/nope", http.StatusNotFound, nil)
		a.GetJSON(t, "/collections/places/items/nope", http.StatusNotFound, nil)
	})
	t.Run("hostile strings never reach SQL", func(t *testing.T) {
		before := a.Incidents(t, "").NumberMatched
		for _, s := range []string{"'; DROP TABLE incidents; --", `" OR 1=1 --`, `\`, "%_%", "1) OR (1=1"} {
			for _, p := range []string{"q", "actor", "admin1"} {
				a.GetJSON(t, "/collections/incidents/items?"+testapp.Q(p, s), http.StatusOK, nil)
			}
			a.GetJSON(t, "/collections/incidents/items/"+strings.ReplaceAll(s, "%", "%25"), http.StatusNotFound, nil)
		}
		if after := a.Incidents(t, "").NumberMatched; after != before {
			t.Errorf("incidents %d before, %d after", before, after)
		}
	})
}

func TestOGCAPIDocumentsAndHeaders(t *testing.T) {
	a := testapp.Start(t)
	t.Run("landing page links", func(t *testing.T) {
		var landing struct{ Links []struct{ Rel, Href string } }
		a.GetJSON(t, "/?f=json", http.StatusOK, &landing)
		rels := map[string]bool{}
		for _, l := range landing.Links {
			rels[l.Rel] = true
		}
		for _, want := range []string{"self", "service-desc", "service-doc", "conformance", "data"} {
			if !rels[want] {
				t.Errorf("no %s link", want)
			}
		}
		res, body := a.Get(t, "/", "Accept", "application/json")
		if res.Header.Get("Content-Type") != "application/json" || !bytes.Contains(body, []byte("service-desc")) {
			t.Errorf("Accept: application/json gets %s", res.Header.Get("Content-Type"))
		}
		if res, _ := a.Get(t, "/", "Accept", "text/html"); !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("browsers get %s", res.Header.Get("Content-Type"))
		}
	})
	t.Run("conformance classes", func(t *testing.T) {
		var c struct{ ConformsTo []string }
		a.GetJSON(t, "/conformance", http.StatusOK, &c)
		for _, want := range []string{"core", "geojson", "html", "oas30"} {
			if !slices.Contains(c.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"+want) {
				t.Errorf("missing %s in %v", want, c.ConformsTo)
			}
		}
	})
	t.Run("OpenAPI document", func(t *testing.T) {
		var doc struct {
			OpenAPI string
			Paths   map[string]any
		}
		a.GetJSON(t, "/api", http.StatusOK, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/collections/{collectionId}/items"] == nil {
			t.Errorf("openapi %q, paths %d", doc.OpenAPI, len(doc.Paths))
		}
	})
	t.Run("collections have spatial and temporal extents", func(t *testing.T) {
		var c struct {
			Extent struct {
				Spatial  struct{ BBox [][]float64 }
				Temporal struct{ Interval [][]*string }
			}
		}
		a.GetJSON(t, "/collections/incidents", http.StatusOK, &c)
		if len(c.Extent.Spatial.BBox) != 1 || len(c.Extent.Temporal.Interval) != 1 || c.Extent.Temporal.Interval[0][0] == nil {
			t.Errorf("extent %+v", c.Extent)
		}
		a.GetJSON(t, "/collections/places", http.StatusOK, nil)
	})
	t.Run("ETag answers 304; gzip; CORS; nosniff", func(t *testing.T) {
		path := "/collections/incidents/items?datetime=2022-04-24"
		res, _ := a.Get(t, path, "Accept-Encoding", "gzip", "Origin", "https://example.org")
		etag := res.Header.Get("ETag")
		if etag == "" || res.Header.Get("Cache-Control") == "" {
			t.Fatalf("no ETag or Cache-Control: %v", res.Header)
		}
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("not gzipped: %v", res.Header)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", res.Header)
		}
		if res, _ := a.Get(t, path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d", res.StatusCode)
		}
	})
	t.Run("health and readiness", func(t *testing.T) {
		a.GetJSON(t, "/healthz", http.StatusOK, nil)
		a.GetJSON(t, "/readyz", http.StatusOK, nil)
	})
}
