package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

func TestWritesWithTokens(t *testing.T) {
	a := testapp.Start(t)
	seeded := time.Now().UTC().Format(time.RFC3339Nano)
	editor := a.NewToken(t, "editor-1", "editor")
	items := "/collections/incidents/items"
	window := "?datetime=2022-05-10&bbox=-5,14,-4,15"
	tile, _ := testapp.TilePath(testapp.Sevare, 12)
	tile += "?datetime=2022-05-10"
	a.TileLayers(t, tile) // cache the tile before the write

	t.Run("POST needs a right token", func(t *testing.T) {
		if res, _ := a.Do(t, "POST", items, "", strings.NewReader(testapp.NewIncident)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("no token: %d", res.StatusCode)
		}
		if res, _ := a.Do(t, "POST", items, "im_000000000000_wrong", strings.NewReader(testapp.NewIncident)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong token: %d", res.StatusCode)
		}
	})
	var etag string
	t.Run("POST with a token creates it, in items and in its tile at once", func(t *testing.T) {
		res, body := a.Do(t, "POST", items, editor, strings.NewReader(testapp.NewIncident), "Content-Type", "application/geo+json")
		if res.StatusCode != http.StatusCreated || !strings.HasSuffix(res.Header.Get("Location"), items+"/test-sevare-2022-05") {
			t.Fatalf("POST: %d %s %s", res.StatusCode, res.Header.Get("Location"), body)
		}
		etag = res.Header.Get("ETag")
		if ids := a.Incidents(t, window[1:]).IDs(); !slices.Contains(ids, "test-sevare-2022-05") {
			t.Errorf("not in items: %v", ids)
		}
		t.Logf("in its tile after %v", a.WaitTile(t, tile, "test-sevare-2022-05", true, 10*time.Second))
		if res, _ := a.Do(t, "POST", items, editor, strings.NewReader(testapp.NewIncident)); res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("second POST of the same id: %d", res.StatusCode)
		}
	})
	t.Run("a stale If-Match is 412", func(t *testing.T) {
		patch := `{"properties": {"fatalities_best": 4}}`
		res, body := a.Do(t, "PATCH", items+"/test-sevare-2022-05", editor, strings.NewReader(patch), "If-Match", etag)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PATCH: %d %s", res.StatusCode, body)
		}
		if res, _ := a.Do(t, "PATCH", items+"/test-sevare-2022-05", editor, strings.NewReader(patch), "If-Match", etag); res.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("stale PATCH: %d", res.StatusCode)
		}
	})
	t.Run("a draft is hidden from items, tiles and reads without a token", func(t *testing.T) {
		res, body := a.Do(t, "PATCH", items+"/test-sevare-2022-05", editor, strings.NewReader(`{"properties": {"status": "draft"}}`))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PATCH: %d %s", res.StatusCode, body)
		}
		if ids := a.Incidents(t, window[1:]).IDs(); slices.Contains(ids, "test-sevare-2022-05") {
			t.Errorf("draft in items: %v", ids)
		}
		if res, _ := a.Get(t, items+"/test-sevare-2022-05"); res.StatusCode != http.StatusNotFound {
			t.Errorf("draft by id without token: %d", res.StatusCode)
		}
		if res, _ := a.Do(t, "GET", items+"/test-sevare-2022-05", editor, nil); res.StatusCode != http.StatusOK {
			t.Errorf("draft by id with token: %d", res.StatusCode)
		}
		if res, _ := a.Get(t, items+window+"&status=draft"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status=draft without token: %d", res.StatusCode)
		}
		var fc testapp.FeatureCollection
		res, body = a.Do(t, "GET", items+window+"&status=draft", editor, nil)
		_ = json.Unmarshal(body, &fc)
		if res.StatusCode != http.StatusOK || !slices.Contains(fc.IDs(), "test-sevare-2022-05") {
			t.Errorf("status=draft with token: %d %v", res.StatusCode, fc.IDs())
		}
		a.WaitTile(t, tile, "test-sevare-2022-05", false, 10*time.Second) // the draft leaves its tile
	})
	t.Run("revisions say who changed what", func(t *testing.T) {
		var r struct {
			Revisions []struct {
				Revision int
				Op       string
				Author   string
				Changes  map[string]any
			}
		}
		res, body := a.Do(t, "GET", items+"/test-sevare-2022-05/revisions", editor, nil)
		_ = json.Unmarshal(body, &r)
		if res.StatusCode != http.StatusOK || len(r.Revisions) != 3 || r.Revisions[0].Op != "create" ||
			r.Revisions[2].Author != "editor-1" || r.Revisions[2].Changes == nil {
			t.Errorf("revisions with a token: %d %+v", res.StatusCode, r.Revisions)
		}
		a.GetJSON(t, items+"/test-sevare-2022-05/revisions", http.StatusOK, &r)
		if len(r.Revisions) != 2 {
			t.Errorf("the public sees the draft's revision: %+v", r.Revisions)
		}
	})
	t.Run("DELETE needs the token and shows in the change feed", func(t *testing.T) {
		if res, _ := a.Do(t, "DELETE", items+"/test-sevare-2022-05", "", nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("DELETE without token: %d", res.StatusCode)
		}
		if res, body := a.Do(t, "DELETE", items+"/test-sevare-2022-05", editor, nil); res.StatusCode != http.StatusNoContent {
			t.Errorf("DELETE: %d %s", res.StatusCode, body)
		}
		var feed struct{ Changes []struct{ ID, Op string } }
		a.GetJSON(t, "/changes?since=0", http.StatusOK, &feed)
		last := feed.Changes[len(feed.Changes)-1]
		if last.ID != "test-sevare-2022-05" || last.Op != "delete" {
			t.Errorf("last change %+v", last)
		}
	})
	t.Run("as_of shows the data of that moment", func(t *testing.T) {
		if ids := a.Incidents(t, testapp.Q("as_of", seeded, "datetime", "2022-03-27")).IDs(); !slices.Contains(ids, "moura-2022-03") {
			t.Errorf("as_of the seeding: %v", ids)
		}
		if ids := a.Incidents(t, testapp.Q("as_of", seeded, "datetime", "2022-05-10")).IDs(); slices.Contains(ids, "test-sevare-2022-05") {
			t.Errorf("as_of the seeding holds a later incident: %v", ids)
		}
		if fc := a.Incidents(t, testapp.Q("as_of", "2001-01-01T00:00:00Z")); fc.NumberMatched != 0 {
			t.Errorf("as_of 2001: %v", fc.IDs())
		}
	})
}

func TestValidationAndGeocoding(t *testing.T) {
	a := testapp.Start(t)
	editor := a.NewToken(t, "editor-2", "editor")
	items := "/collections/incidents/items"
	feature := func(geometry, props string) string {
		return `{"type": "Feature", "geometry": ` + geometry + `, "properties": {"title": "T", "event_type": "battles",
			"starts_at": "2022-05-10T00:00:00Z", "ends_at": "2022-05-10T23:59:59Z",
			"sources": [{"url": "https://example.org/b", "publisher": "Example"}]` + props + `}}`
	}
	t.Run("a location alone is geocoded against the gazetteer", func(t *testing.T) {
		res, body := a.Do(t, "POST", items, editor, strings.NewReader(feature("null", `, "location": "sevare"`)))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		var f struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
		_ = json.Unmarshal(body, &f) // not JSON: it stays empty, which the check below reports
		c := f.Geometry.Coordinates
		if len(c) != 2 || c[0] < -4.2 || c[0] > -4.0 || c[1] < 14.4 || c[1] > 14.6 || f.Properties["country"] != "ML" {
			t.Errorf("placed at %v, %v", c, f.Properties)
		}
	})
	for name, tt := range map[string]struct {
		geometry, props, field string
		status                 int
	}{
		"an unknown place is refused by name": {"null", `, "location": "Nowhereville"`, "Nowhereville", 422},
		"longitude 200 is refused":            {`{"type": "Point", "coordinates": [200, 14]}`, `, "country": "ML"`, "geometry", 422},
		"ends before it starts":               {`{"type": "Point", "coordinates": [-4, 14]}`, `, "country": "ML", "ends_at": "2022-05-01T00:00:00Z"`, "ends_at", 400},
		"an unknown property":                 {`{"type": "Point", "coordinates": [-4, 14]}`, `, "colour": "red"`, "colour", 400},
	} {
		t.Run(name, func(t *testing.T) {
			res, body := a.Do(t, "POST", items, editor, strings.NewReader(feature(tt.geometry, tt.props)))
			if res.StatusCode/100 != 4 || !strings.Contains(string(body), tt.field) {
				t.Errorf("%d %s", res.StatusCode, body)
			}
		})
	}
	t.Run("the wrong scope is 403", func(t *testing.T) {
		res, _ := a.Do(t, "POST", "/import?format=acled", editor, strings.NewReader("x"))
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("editor importing: %d", res.StatusCode)
		}
	})
	t.Run("a large body is 413", func(t *testing.T) {
		big := strings.Repeat("x", 30<<20)
		if res, _ := a.Do(t, "POST", items, editor, strings.NewReader(big)); res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("30 MB body: %d", res.StatusCode)
		}
	})
}

func TestImportACLEDAndUCDP(t *testing.T) {
	a := testapp.Start(t)
	count := func() int { return a.Incidents(t, "").NumberMatched }
	before := count()

	t.Run("a bad row fails the whole file, naming its line, storing nothing", func(t *testing.T) {
		_, err := a.CLI(t, nil, "import", "--format", "acled", "../testdata/acled_bad_row.csv")
		if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "event_type") {
			t.Errorf("err = %v", err)
		}
		if n := count(); n != before {
			t.Errorf("%d incidents after a failed import, %d before", n, before)
		}
	})
	t.Run("a good file imports every row, once however often", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			if out, err := a.CLI(t, nil, "import", "../testdata/acled_good.csv"); err != nil {
				t.Fatalf("import: %v %s", err, out)
			}
		}
		if n := count(); n != before+3 {
			t.Errorf("%d incidents, want %d", n, before+3)
		}
		fc := a.Incidents(t, testapp.Q("q", "Maïga"))
		if !slices.Contains(fc.IDs(), "acled-MLI90002") {
			t.Errorf("accented text not searchable: %v", fc.IDs())
		}
		if !slices.Contains(a.Incidents(t, testapp.Q("q", "maiga")).IDs(), "acled-MLI90002") {
			t.Error("accent-insensitive search fails")
		}
		var f struct{ Properties map[string]any }
		a.GetJSON(t, "/collections/incidents/items/acled-MLI90001", http.StatusOK, &f)
		if !strings.Contains(f.Properties["summary"].(string), `"Katiba Macina"`) || f.Properties["geo_precision"] != "exact" {
			t.Errorf("quotes or precision lost: %v", f.Properties)
		}
	})
	t.Run("dry run stores nothing", func(t *testing.T) {
		n := count()
		if _, err := a.CLI(t, nil, "import", "--dry-run", "../testdata/ucdp_small.csv"); err != nil {
			t.Fatal(err)
		}
		if count() != n {
			t.Error("a dry run stored incidents")
		}
	})
	t.Run("UCDP GED over HTTP with an admin token", func(t *testing.T) {
		admin := a.NewToken(t, "admin-1", "admin")
		file, err := os.Open("../testdata/ucdp_small.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close() //nolint:errcheck // opened read-only: Close has nothing to report
		res, body := a.Do(t, "POST", "/import?format=ucdp", admin, file, "Content-Type", "text/csv")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		var f struct{ Properties map[string]any }
		a.GetJSON(t, "/collections/incidents/items/ucdp-424242", http.StatusOK, &f)
		if f.Properties["fatalities_low"] != 300.0 || f.Properties["fatalities_high"] != 500.0 || f.Properties["date_precision"] != "week" {
			t.Errorf("UCDP mapping: %v", f.Properties)
		}
	})
}
