package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// needTool finds a command-line client; without it the test skips, except
// under CI=true, where it fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; under CI=true this test must run (make test installs gdal-bin)", name)
		}
		t.Skipf("%s is not installed (make test installs gdal-bin)", name)
	}
	return path
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(needTool(t, name), args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// GDAL's OGC API - Features driver is a real client: it must count the
// incidents and copy both collections, with their attributes, to a
// GeoPackage.
func TestGDALReadsTheCollections(t *testing.T) {
	a := startApp(t)
	all := a.incidents(t, q("limit", "10000"))

	info := runTool(t, "ogrinfo", "-ro", "-so", "OAPIF:"+a.base, "incidents")
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(info)
	if m == nil || m[1] != itoa(all.NumberMatched) {
		t.Errorf("ogrinfo counts %v, want %d:\n%s", m, all.NumberMatched, info)
	}

	gpkg := filepath.Join(t.TempDir(), "sahel.gpkg")
	runTool(t, "ogr2ogr", "-f", "GPKG", gpkg, "OAPIF:"+a.base, "incidents", "places")
	out := runTool(t, "ogrinfo", "-ro", "-al", "-so", gpkg)
	for _, want := range []string{"Layer name: incidents", "Layer name: places", "event_type", "fatalities_best",
		"starts_at", "claims", "sources", "geo_precision", "kind", "holder",
		"Feature Count: " + itoa(all.NumberMatched)} {
		if !strings.Contains(out, want) {
			t.Errorf("GeoPackage lacks %q:\n%s", want, out)
		}
	}
	moura := runTool(t, "ogrinfo", "-ro", "-al", "-where", "id = 'moura-2022-03'", gpkg, "incidents")
	if !strings.Contains(moura, "OHCHR") || !strings.Contains(moura, "POINT (-4.5997 14.3261)") {
		t.Errorf("Moura in the GeoPackage:\n%s", moura)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
