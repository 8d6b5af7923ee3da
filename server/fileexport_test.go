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
// linked from the items page and the collection.
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
