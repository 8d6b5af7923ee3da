package export

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/internal/synth"
	"incidentmap/internal/testenv"
)

// writeFile writes the incidents into a .gpkg file of the test's own.
func writeFile(t *testing.T, list []geo.Incident) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteGeoPackage(t.Context(), &buf, eachOf(list), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "incidents.gpkg")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGDALOpensTheGeoPackage(t *testing.T) {
	path := writeFile(t, seedIncidents(t))
	out := testenv.GDAL(t, "ogrinfo", "-al", "-so", path)
	t.Logf("ogrinfo -al -so:\n%s", out)
	for _, want := range []string{
		"Layer name: incidents", "Geometry: Point", "Feature Count: 14", `ID["EPSG",4326]`,
		"FID Column = fid", "Geometry Column = geom", "starts_at: DateTime", "fatalities_best: Integer64",
		"claims: String(JSON)", "sources: String(JSON)",
		"Layer name: claims", "Geometry: None", "incident_id: String", "claimed_on: Date",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo lacks %q", want)
		}
	}
	one := testenv.GDAL(t, "ogrinfo", "-ro", path, "incidents", "-where", "id = 'moura-2022-03'")
	if !strings.Contains(one, "POINT (") || !strings.Contains(one, "claimant") {
		t.Errorf("ogrinfo of moura-2022-03 lacks its point or its claims:\n%s", one)
	}
}

// validateGPKG is GDAL's GeoPackage validator, which Debian's gdal-bin
// brings (through python3-gdal).
const validateGPKG = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"

func TestGDALsValidatorAcceptsTheGeoPackage(t *testing.T) {
	_, err := os.Stat(validateGPKG)
	testenv.Need(t, "GDAL's validate_gpkg.py (Debian gdal-bin, through python3-gdal)", err)
	python := testenv.Command(t, "python3", "Debian python3")
	area := seedIncidents(t)[0]
	area.ID, area.Geometry = "an-area", orb.Polygon{{{-1, 14}, {-0.5, 14}, {-0.5, 14.5}, {-1, 14}}}
	for name, list := range map[string][]geo.Incident{
		"points": seedIncidents(t), "points and an area": append(seedIncidents(t), area), "nothing": nil,
	} {
		out, err := exec.Command(python, validateGPKG, writeFile(t, list)).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("validate_gpkg.py of %s: %v\n%s", name, err, out)
		}
	}
	out := testenv.GDAL(t, "ogrinfo", "-so", writeFile(t, append(seedIncidents(t), area)), "incidents")
	if !strings.Contains(out, "Geometry: Unknown (any)") || !strings.Contains(out, "Feature Count: 15") {
		t.Errorf("ogrinfo of points and an area:\n%s", out)
	}
}

func TestTheGeoPackageIsIndexedAndRelated(t *testing.T) {
	list := seedIncidents(t)
	db, err := sql.Open("sqlite", writeFile(t, list))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	claims := 0
	for _, in := range list {
		claims += len(in.Claims)
	}
	for _, tt := range []struct {
		query string
		want  int64
	}{
		{"PRAGMA application_id", gpkgApplicationID},
		{"PRAGMA user_version", gpkgUserVersion},
		{"SELECT count(*) FROM rtree_incidents_geom", int64(len(list))},
		{`SELECT count(*) FROM incidents i JOIN rtree_incidents_geom r ON r.id = i.fid
			WHERE r.minx <= 1.2 AND r.maxx >= 1.2`, 0}, // a meridian with no incident
		{"SELECT count(*) FROM claims", int64(claims)},
		{`SELECT count(*) FROM incidents_claims m JOIN incidents i ON i.fid = m.base_id
			JOIN claims c ON c.id = m.related_id WHERE c.incident_id = i.id`, int64(claims)},
		{"SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'rtree_incidents_geom_%'", 6},
		{"SELECT count(*) FROM gpkg_contents WHERE table_name = 'incidents' AND min_x IS NOT NULL", 1},
		{"SELECT count(*) FROM gpkgext_relations WHERE related_table_name = 'claims'", 1},
	} {
		var got int64
		if err := db.QueryRow(tt.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if got != tt.want {
			t.Errorf("%s = %d, want %d", tt.query, got, tt.want)
		}
	}
	if claims == 0 {
		t.Error("the seed has no claims: the claims table goes untested")
	}
}

func TestAnEmptyExportIsAValidGeoPackage(t *testing.T) {
	out := testenv.GDAL(t, "ogrinfo", "-al", "-so", writeFile(t, nil))
	if !strings.Contains(out, "Feature Count: 0") {
		t.Errorf("ogrinfo of an empty export:\n%s", out)
	}
}

func TestATooLargeGeoPackageFailsNamingF(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var buf bytes.Buffer
	err := writeGeoPackage(t.Context(), &buf, synthetic(5000), nil, 256<<10)
	var e *geo.Error
	if !errors.As(err, &e) || e.Code != geo.ETooLarge || e.Param != "f" {
		t.Fatalf("err = %v, want ETooLarge naming f", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a failed export wrote %d bytes", buf.Len())
	}
	assertNoTemporaryFiles(t)
}

// GeoPackages and FlatGeobufs share the bound on files built at once: one
// more than it allows fails at once, whichever format it is.
func TestOnlySoManyFilesAreBuiltAtOnce(t *testing.T) {
	for range cap(builds) {
		builds <- struct{}{}
	}
	gpkgErr := WriteGeoPackage(t.Context(), &bytes.Buffer{}, synthetic(1), nil)
	fgbErr := WriteFlatGeobuf(t.Context(), &bytes.Buffer{}, synthetic(1), nil)
	for range cap(builds) {
		<-builds
	}
	for format, err := range map[string]error{"gpkg": gpkgErr, "fgb": fgbErr} {
		if geo.ErrorCode(err) != geo.EUnavailable {
			t.Errorf("%s: err = %v beside %d builds, want EUnavailable", format, err, cap(builds))
		}
	}
	if err := WriteFlatGeobuf(t.Context(), &bytes.Buffer{}, synthetic(1), nil); err != nil {
		t.Errorf("once the builds are given back: %v", err)
	}
}

func TestAFailureOfEachEndsTheExportAndLeavesNoFile(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	broken := errors.New("the database went away")
	each := func(fn func(*geo.Incident) error) error {
		if err := synthetic(10)(fn); err != nil {
			return err
		}
		return broken
	}
	var buf bytes.Buffer
	if err := WriteGeoPackage(t.Context(), &buf, each, nil); !errors.Is(err, broken) {
		t.Fatalf("err = %v, want each's error", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WriteGeoPackage(ctx, &buf, synthetic(10), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v after the context ended, want context.Canceled", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a failed export wrote %d bytes", buf.Len())
	}
	assertNoTemporaryFiles(t)
}

func assertNoTemporaryFiles(t *testing.T) {
	t.Helper()
	left, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		t.Errorf("the export left %s in the temporary directory", f.Name())
	}
}

// synthetic yields the first n incidents of `incidentmap synth`, one at a
// time, as an export of the server would.
func synthetic(n int) Each {
	return func(fn func(*geo.Incident) error) error {
		next := synth.Incidents(1, n)
		for {
			in, ok, err := next()
			if err != nil || !ok {
				return err
			}
			if err := fn(in); err != nil {
				return err
			}
		}
	}
}
