package server_test

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// GDAL's OGC API - Features driver is a real client: it must count the
// incidents and copy both collections, with their attributes, to a
// GeoPackage.
func TestGDALReadsTheCollections(t *testing.T) {
	a := testapp.Start(t)
	all := a.Incidents(t, testapp.Q("limit", "10000"))

	info := testenv.GDAL(t, "ogrinfo", "-ro", "-so", "OAPIF:"+a.URL, "incidents")
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(info)
	if m == nil || m[1] != strconv.Itoa(all.NumberMatched) {
		t.Errorf("ogrinfo counts %v, want %d:\n%s", m, all.NumberMatched, info)
	}

	gpkg := filepath.Join(t.TempDir(), "sahel.gpkg")
	testenv.GDAL(t, "ogr2ogr", "-f", "GPKG", gpkg, "OAPIF:"+a.URL, "incidents", "places")
	out := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-so", gpkg)
	for _, want := range []string{"Layer name: incidents", "Layer name: places", "event_type", "fatalities_best",
		"starts_at", "claims", "sources", "geo_precision", "kind", "holder",
		"Feature Count: " + strconv.Itoa(all.NumberMatched)} {
		if !strings.Contains(out, want) {
			t.Errorf("GeoPackage lacks %q:\n%s", want, out)
		}
	}
	moura := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-where", "id = 'moura-2022-03'", gpkg, "incidents")
	if !strings.Contains(moura, "OHCHR") || !strings.Contains(moura, "POINT (-4.5997 14.3261)") {
		t.Errorf("Moura in the GeoPackage:\n%s", moura)
	}
}
