package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// GDAL's OAPIF driver pushes an attribute filter to the server as a CQL
// filter (issue 14, item 6): its debug output shows the filter in the URL
// it fetched, and it copies exactly the incidents the server counts for
// that filter. GDAL 3.7 and later send cql2-text when the server declares
// filtering and queryables; Debian's GDAL 3.6 knows only the draft
// language cql-text, which it sends when OGR_OAPIF_ALLOW_CQL_TEXT is set
// (the server reads it as cql2-text). Without that option GDAL 3.6 sends
// event_type=battles, our own parameter, which filters the same.
func TestGDALSendsItsWhereAsAFilter(t *testing.T) {
	a := testapp.Start(t)
	want := a.Incidents(t, testapp.Q("filter", "event_type = 'battles'", "limit", "10000")).NumberMatched
	if want == 0 {
		t.Fatal("the seed has no battles: the comparison would prove nothing")
	}
	out := filepath.Join(t.TempDir(), "battles.json")
	debug := testenv.GDAL(t, "ogr2ogr", "--config", "CPL_DEBUG", "ON",
		"--config", "OGR_OAPIF_ALLOW_CQL_TEXT", "YES", "-f", "GeoJSON", out, "OAPIF:"+a.URL,
		"incidents", "-where", "event_type = 'battles'")
	if !sentFilter.MatchString(debug) {
		t.Errorf("GDAL did not send a filter to the server:\n%s", debug)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != want {
		t.Errorf("GDAL copied %d incidents, the server counts %d battles", len(fc.Features), want)
	}
	for _, f := range fc.Features {
		if f.Properties["event_type"] != "battles" {
			t.Errorf("GDAL copied a %v", f.Properties["event_type"])
		}
	}
}

// sentFilter finds, in GDAL's debug output, a fetch of items with the
// filter event_type = 'battles'.
var sentFilter = regexp.MustCompile(`Fetch\(\S*/collections/incidents/items\?\S*filter=event_type%20%3D%20'battles'&filter-lang=cql-text`)
