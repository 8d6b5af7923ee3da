package server_test

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// TestSortbyGivesOneOrderWhoeverAnswers pins that a sorted listing is the
// same whether the tile index or PostGIS answers it (a token asking for
// status=published makes PostGIS answer the same matches), followed page
// by page through next links or exported whole as CSV, and that it is
// sorted: by each key in turn, unknown values last, ties by id.
func TestSortbyGivesOneOrderWhoeverAnswers(t *testing.T) {
	dsn := testapp.SeededWith(t, 3000, "21")
	a := testapp.Serve(t, dsn)
	a.WaitTileIndex(t)
	token := a.NewToken(t, "sorter", "editor")
	const items = "/collections/incidents/items?"

	for _, sortby := range []string{"-fatalities_best", "+country,-starts_at", "event_type,-id", "-ends_at",
		"title", "-updated_at,country", "sub_event_type,fatalities_best"} {
		query := testapp.Q("sortby", sortby, "limit", "700", "bbox", "-6,12,2,17")
		fromIndex := followPages(t, a, items+query, "")
		fromPostGIS := followPages(t, a, items+query+"&status=published", token)
		if len(fromIndex) < 1000 || !slices.Equal(ids(fromIndex), ids(fromPostGIS)) {
			t.Fatalf("sortby=%s: the index lists %d, PostGIS %d, or not in the same order", sortby, len(fromIndex), len(fromPostGIS))
		}
		if err := sortedBy(fromIndex, sortby); err != "" {
			t.Errorf("sortby=%s: %s", sortby, err)
		}
		csvIDs := func(token, extra string) []string {
			res, body := a.Do(t, http.MethodGet, items+testapp.Q("sortby", sortby, "f", "csv", "bbox", "-6,12,2,17",
				"properties", "title")+extra, token, nil)
			rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
			if res.StatusCode != http.StatusOK || err != nil || rows[0][1] != "title" {
				t.Fatalf("sortby=%s&f=csv: %d %v %.200s", sortby, res.StatusCode, err, body)
			}
			var out []string
			for _, r := range rows[1:] {
				out = append(out, r[0])
			}
			return out
		}
		if !slices.Equal(csvIDs("", ""), ids(fromIndex)) || !slices.Equal(csvIDs(token, "&status=published"), ids(fromIndex)) {
			t.Errorf("sortby=%s: the CSV exports are not the pages' order", sortby)
		}
	}

	t.Run("places in each order", func(t *testing.T) {
		for _, sortby := range []string{"-name", "kind,-name", "country,admin1", "-id"} {
			places := followPages(t, a, "/collections/places/items?"+testapp.Q("sortby", sortby, "limit", "7"), "")
			if len(places) < 20 {
				t.Fatalf("sortby=%s: %d places", sortby, len(places))
			}
			if err := sortedBy(places, sortby); err != "" {
				t.Errorf("sortby=%s: %s", sortby, err)
			}
		}
	})

	t.Run("GDAL still reads the collection", func(t *testing.T) {
		all := a.Incidents(t, "limit=1")
		info := testenv.GDAL(t, "ogrinfo", "-ro", "-so", "OAPIF:"+a.URL, "incidents")
		if !strings.Contains(info, "Feature Count: "+strconv.Itoa(all.NumberMatched)) || !strings.Contains(info, "fatalities_best") {
			t.Errorf("ogrinfo:\n%s", info)
		}
		// A selected, sorted CSV export opens as a layer of points with only those columns.
		csvPath := filepath.Join(t.TempDir(), "top.csv")
		_, body := a.Get(t, items+testapp.Q("f", "csv", "limit", "5", "sortby", "-fatalities_best", "properties", "title,fatalities_best"))
		if err := os.WriteFile(csvPath, body, 0o600); err != nil {
			t.Fatal(err)
		}
		out := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-oo", "GEOM_POSSIBLE_NAMES=WKT", "-oo", "KEEP_GEOM_COLUMNS=NO", csvPath)
		if !strings.Contains(out, "Feature Count: 5") || !strings.Contains(out, "fatalities_best (") || strings.Contains(out, "summary (") {
			t.Errorf("ogrinfo of the CSV:\n%s", out)
		}
	})
}

// feature is what followPages keeps of each feature.
type feature struct {
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
}

// followPages reads every page from path on through next links.
func followPages(t *testing.T, a *testapp.App, path, token string) []feature {
	t.Helper()
	var all []feature
	for path != "" {
		res, body := a.Do(t, http.MethodGet, path, token, nil)
		var page struct {
			Features []feature
			Links    []struct{ Href, Rel string }
		}
		if err := json.Unmarshal(body, &page); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %.300s", path, res.StatusCode, body)
		}
		all = append(all, page.Features...)
		path = ""
		for _, l := range page.Links {
			if l.Rel == "next" {
				path = strings.TrimPrefix(l.Href, a.URL)
			}
		}
	}
	return all
}

func ids(list []feature) []string {
	out := make([]string, len(list))
	for i, f := range list {
		out[i] = f.ID
	}
	return out
}

// sortedBy reports, in words, the first pair of list out of the order of
// sortby ("" when there is none).
func sortedBy(list []feature, sortby string) string {
	keys := strings.Split(sortby, ",")
	for i := 1; i < len(list); i++ {
		a, b := list[i-1], list[i]
		c := 0
		for _, k := range append(keys, "id") {
			desc := strings.HasPrefix(k, "-")
			name := strings.TrimLeft(k, "+-")
			if c = compareProperty(a, b, name); desc {
				c = -c
			}
			if va, vb := property(a, name), property(b, name); (va == nil) != (vb == nil) { // unknown last both ways
				c = map[bool]int{true: 1, false: -1}[va == nil]
			}
			if c != 0 {
				break
			}
		}
		if c > 0 {
			return a.ID + " comes before " + b.ID
		}
	}
	return ""
}

func property(f feature, name string) any {
	if name == "id" {
		return f.ID
	}
	return f.Properties[name]
}

func compareProperty(a, b feature, name string) int {
	switch va, vb := property(a, name), property(b, name); va := va.(type) {
	case float64:
		vb, _ := vb.(float64)
		return cmp.Compare(va, vb)
	case string:
		vb, _ := vb.(string)
		ta, errA := time.Parse(time.RFC3339Nano, va)
		tb, errB := time.Parse(time.RFC3339Nano, vb)
		if errA == nil && errB == nil {
			return ta.Compare(tb)
		}
		return strings.Compare(va, vb) // byte by byte, as COLLATE "C"
	}
	return 0
}
