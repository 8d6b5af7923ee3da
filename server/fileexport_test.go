package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// f=gpkg downloads every match as a GeoPackage that GDAL opens: from the
// tile index and from PostGIS (q), chosen by f or by the Accept header, and
// linked from the items page and the collection; f=fgb and f=kml likewise.
func TestGeoPackageExport(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t) // "from the index" needs the index: until it loads, PostGIS answers
	const items = "/collections/incidents/items"

	for _, tt := range []struct {
		name, query, accept string
	}{
		{"every incident, from the index", "f=gpkg", ""},
		{"a filter PostGIS answers", "f=gpkg&q=Moura", ""},
		{"asked for by the Accept header", "country=ML", "application/geopackage+sqlite3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			filters := strings.TrimPrefix(strings.TrimPrefix(tt.query, "f=gpkg"), "&")
			want := a.Incidents(t, filters+"&limit=10000").NumberMatched
			if want == 0 {
				t.Fatalf("%s matches nothing: the export goes untested", filters)
			}
			res, body := a.Get(t, items+"?"+tt.query, "Accept", tt.accept)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/geopackage+sqlite3" ||
				res.Header.Get("Content-Disposition") != `attachment; filename="incidents.gpkg"` {
				t.Fatalf("%d %q %q: %.200s", res.StatusCode, res.Header.Get("Content-Type"),
					res.Header.Get("Content-Disposition"), body)
			}
			path := filepath.Join(t.TempDir(), "incidents.gpkg")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			out := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-so", path)
			for _, s := range []string{"Layer name: incidents", "Geometry: Point", "Feature Count: " + strconv.Itoa(want),
				"Layer name: claims", "claims: String(JSON)"} {
				if !strings.Contains(out, s) {
					t.Errorf("ogrinfo lacks %q:\n%s", s, out)
				}
			}
		})
	}

	// FlatGeobuf and KML come through the same wiring; GDAL opens both.
	for _, tt := range []struct{ f, mediaType, driverSays string }{
		{"fgb", "application/flatgeobuf", "Geometry: Point"},
		{"kml", "application/vnd.google-earth.kml+xml", "begin: DateTime"},
	} {
		t.Run("f="+tt.f+" from the index and from PostGIS", func(t *testing.T) {
			for _, filters := range []string{"country=ML", "q=Moura"} {
				want := a.Incidents(t, filters+"&limit=10000").NumberMatched
				res, body := a.Get(t, items+"?f="+tt.f+"&"+filters)
				if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tt.mediaType ||
					res.Header.Get("Content-Disposition") != `attachment; filename="incidents.`+tt.f+`"` {
					t.Fatalf("%s: %d %q %q: %.200s", filters, res.StatusCode, res.Header.Get("Content-Type"),
						res.Header.Get("Content-Disposition"), body)
				}
				path := filepath.Join(t.TempDir(), "incidents."+tt.f)
				if err := os.WriteFile(path, body, 0o600); err != nil {
					t.Fatal(err)
				}
				out := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-so", path)
				for _, s := range []string{"Feature Count: " + strconv.Itoa(want), tt.driverSays} {
					if !strings.Contains(out, s) {
						t.Errorf("%s: ogrinfo lacks %q:\n%s", filters, s, out)
					}
				}
			}
		})
	}

	// properties selects the columns of every file format, in the order
	// asked, after the id; GDAL sees exactly those fields.
	t.Run("properties selects the fields of gpkg, fgb and kml", func(t *testing.T) {
		for _, f := range []string{"gpkg", "fgb", "kml"} {
			res, body := a.Get(t, items+"?f="+f+"&q=Moura&properties=fatalities_best,location")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("f=%s: %d %.200s", f, res.StatusCode, body)
			}
			path := filepath.Join(t.TempDir(), "incidents."+f)
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			out := testenv.GDAL(t, "ogrinfo", "-ro", "-so", path, "incidents")
			var fields []string
			for _, line := range strings.Split(out, "\n") {
				if name, _, ok := strings.Cut(line, ": "); ok && !strings.Contains(name, " ") &&
					!strings.Contains(line, "Layer") && !strings.HasPrefix(line, "Extent") && name != "Geometry" {
					fields = append(fields, name)
				}
			}
			const want = "id fatalities_best location" // KML's own fields (Name, begin...) come first
			if got := strings.Join(fields, " "); !strings.HasSuffix(got, want) || strings.Contains(got, "title") {
				t.Errorf("f=%s: fields %q, want %q:\n%s", f, got, want, out)
			}
		}
	})

	t.Run("a format nobody offers is a 400 naming f, listing gpkg", func(t *testing.T) {
		res, body := a.Get(t, items+"?f=gpkx")
		var e struct{ Parameter, Description string }
		if json.Unmarshal(body, &e) != nil || res.StatusCode != http.StatusBadRequest || e.Parameter != "f" ||
			!strings.Contains(e.Description, "gpkg") {
			t.Errorf("f=gpkx: %d %s", res.StatusCode, body)
		}
	})

	t.Run("the items page and the collection link the GeoPackage", func(t *testing.T) {
		var page, collection struct {
			Links []struct{ Href, Rel, Type string }
		}
		a.GetJSON(t, items+"?country=ML&limit=2&offset=1", http.StatusOK, &page)
		a.GetJSON(t, "/collections/incidents", http.StatusOK, &collection)
		for name, links := range map[string][]struct{ Href, Rel, Type string }{"page": page.Links, "collection": collection.Links} {
			href := ""
			for _, l := range links {
				if l.Type == "application/geopackage+sqlite3" {
					href = l.Href
				}
			}
			if !strings.Contains(href, "f=gpkg") || strings.Contains(href, "offset") ||
				(name == "page" && !strings.Contains(href, "country=ML")) {
				t.Errorf("the %s's links have no GeoPackage of every match: %+v", name, links)
			}
		}
	})
}
