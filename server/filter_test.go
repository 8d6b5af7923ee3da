package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"incidentmap/geo"
)

// filterShelf is an incidentShelf that remembers the filter of the last
// listing.
type filterShelf struct {
	incidentShelf
	last *geo.Filter
}

func (s filterShelf) Incidents(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, error) {
	*s.last = f
	return s.incidentShelf.Incidents(ctx, f, p)
}

func (s filterShelf) EachIncident(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error {
	*s.last = f
	return s.incidentShelf.EachIncident(ctx, f, p, fn)
}

// cqlText is the canonical text of f's CQL2 filter, "" without one.
func cqlText(f geo.Filter) string {
	if f.CQL == nil {
		return ""
	}
	return f.CQL.Text()
}

// A filter in either language reaches the listing of every format, and
// the tiles, as one canonical expression ANDed with the other filters.
func TestFilterReachesItemsAndTiles(t *testing.T) {
	var last geo.Filter
	tiles := newLayeredTiles()
	s := New(Config{Incidents: filterShelf{twoIncidents(), &last}, Tiles: tiles, Places: gazetteer{},
		Logger: quietLogger()})
	const want = `(("event_type" = 'battles') AND ("fatalities_best" > 10))`
	text := url.Values{"filter": {"event_type = 'battles' AND fatalities_best > 10"}}.Encode()
	jsonQuery := url.Values{"filter-lang": {"cql2-json"}, "filter-crs": {"http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
		"filter": {`{"op":"and","args":[{"op":"=","args":[{"property":"event_type"},"battles"]},` +
			`{"op":">","args":[{"property":"fatalities_best"},10]}]}`}}.Encode()
	for _, query := range []string{text, jsonQuery} {
		for _, f := range []string{"json", "html", "geojsonseq", "csv", "kml", "fgb", "gpkg"} {
			last = geo.Filter{}
			rec := get(t, s, "/collections/incidents/items?f="+f+"&country=ML&"+query)
			if rec.Code != http.StatusOK || cqlText(last) != want || len(last.Countries) != 1 {
				t.Errorf("f=%s %s: %d, filter %q %v", f, query, rec.Code, cqlText(last), last.Countries)
			}
		}
		for _, path := range []string{"/tiles/5/15/14.mvt", "/collections/incidents/tiles/WebMercatorQuad/5/14/15",
			"/tiles/WebMercatorQuad/5/14/15"} {
			rec := get(t, s, path+"?"+query)
			if rec.Code != http.StatusOK || cqlText(tiles.lastRequest().filter) != want {
				t.Errorf("%s?%s: %d, filter %q", path, query, rec.Code, cqlText(tiles.lastRequest().filter))
			}
		}
	}
}

// TileJSON carries the filter into its tiles URL, as it carries datetime.
func TestTileJSONCarriesTheFilter(t *testing.T) {
	s := New(Config{Tiles: newLayeredTiles(), Incidents: incidentShelf{}, Logger: quietLogger(),
		PublicURL: "https://example.org"})
	rec := get(t, s, "/tiles.json?datetime=2022-01-01/..&filter="+url.QueryEscape("country = 'ML'")+"&filter-lang=cql2-text")
	var doc struct{ Tiles []string }
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != http.StatusOK || len(doc.Tiles) != 1 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	u, err := url.Parse(doc.Tiles[0])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("filter") != "country = 'ML'" || q.Get("filter-lang") != "cql2-text" || q.Get("datetime") != "2022-01-01/.." {
		t.Errorf("tiles URL %s", doc.Tiles[0])
	}
}

// Every refusal is a 400 naming filter, filter-lang or filter-crs, with
// cql2's message, on items, tiles and TileJSON alike.
func TestBadFiltersAre400sNamingTheParameter(t *testing.T) {
	s := New(Config{Tiles: newLayeredTiles(), Incidents: twoIncidents(), Places: gazetteer{}, Logger: quietLogger()})
	for _, tc := range []struct {
		name  string
		query url.Values
		param string
		says  string
	}{
		{"an unknown property", url.Values{"filter": {"colour = 'red'"}}, "filter", "colour"},
		{"a syntax error", url.Values{"filter": {"country = "}}, "filter", "offset"},
		{"a type error", url.Values{"filter": {"fatalities_best = 'many'"}}, "filter", ""},
		{"an empty filter", url.Values{"filter": {" "}}, "filter", "empty"},
		{"bad JSON", url.Values{"filter": {"{"}, "filter-lang": {"cql2-json"}}, "filter", ""},
		{"too long", url.Values{"filter": {strings.Repeat("country = 'ML' AND ", 500) + "true"}}, "filter", "at most"},
		{"too deep", url.Values{"filter": {strings.Repeat("(", 200) + "country = 'ML'" + strings.Repeat(")", 200)}}, "filter", ""},
		{"an unknown language", url.Values{"filter": {"country = 'ML'"}, "filter-lang": {"ecql"}}, "filter-lang", "ecql"},
		{"a language without a filter", url.Values{"filter-lang": {"cql2-text"}}, "filter-lang", "without"},
		{"another CRS", url.Values{"filter": {"country = 'ML'"}, "filter-crs": {"EPSG:3857"}}, "filter-crs", "CRS84"},
		{"twice", url.Values{"filter": {"country = 'ML'", "country = 'BF'"}}, "filter", "more than once"},
	} {
		for _, path := range []string{"/collections/incidents/items", "/collections/incidents/items?f=csv",
			"/tiles/5/15/14.mvt", "/tiles.json", "/collections/incidents/tiles/WebMercatorQuad/5/14/15",
			"/collections/incidents/tiles/WebMercatorQuad"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			rec := get(t, s, path+sep+tc.query.Encode())
			var body struct{ Code, Description, Parameter string }
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != http.StatusBadRequest || body.Parameter != tc.param || !strings.Contains(body.Description, tc.says) {
				t.Errorf("%s on %s: %d %s", tc.name, path, rec.Code, rec.Body)
			}
		}
	}
}

// The conformance declaration names exactly the filtering classes passed.
func TestConformanceDeclaresFiltering(t *testing.T) {
	s := New(Config{Incidents: incidentShelf{}, Logger: quietLogger()})
	rec := get(t, s, "/conformance")
	for _, class := range []string{"ogcapi-features-3/1.0/conf/filter\"", "ogcapi-features-3/1.0/conf/features-filter\"",
		"cql2/1.0/conf/cql2-text\"", "cql2/1.0/conf/cql2-json\"", "cql2/1.0/conf/basic-cql2\"",
		"cql2/1.0/conf/basic-spatial-functions\"", "cql2/1.0/conf/spatial-functions\"",
		"cql2/1.0/conf/temporal-functions\""} {
		if !strings.Contains(rec.Body.String(), class) {
			t.Errorf("conformance lacks %s: %s", class, rec.Body)
		}
	}
	for _, class := range []string{"conf/arithmetic\""} {
		if strings.Contains(rec.Body.String(), class) {
			t.Errorf("conformance claims %s", class)
		}
	}
}
