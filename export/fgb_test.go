package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"incidentmap/geo"
	"incidentmap/internal/testenv"
)

func TestFlatGeobufIsRegistered(t *testing.T) {
	f, ok := Lookup("fgb")
	if !ok || f.MediaType != "application/flatgeobuf" || f.Extension != "fgb" {
		t.Fatalf("Lookup(fgb) = %+v, %v", f, ok)
	}
}

func TestFlatGeobufOpensInGDAL(t *testing.T) {
	for name, list := range map[string][]geo.Incident{"seed": seedIncidents(t), "synthetic": synthIncidents(20000)} {
		t.Run(name, func(t *testing.T) {
			out := testenv.GDAL(t, "ogrinfo", "-al", "-so", writeFormat(t, "fgb", list))
			t.Logf("ogrinfo -al -so incidents.fgb:\n%s", out)
			want := []string{"using driver `FlatGeobuf'", "Geometry: Point", "Feature Count: " + strconv.Itoa(len(list)),
				"Extent: " + extentOf(list), `ID["EPSG",4326]`}
			for _, c := range fgbColumns {
				typ := map[byte]string{fgbString: "String", fgbJSON: "String", fgbDateTime: "DateTime", fgbLong: "Integer64"}[c.typ]
				want = append(want, c.name+": "+typ)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("ogrinfo does not say %q", w)
				}
			}
		})
	}
}

// extentOf is the extent of list as ogrinfo writes it.
func extentOf(list []geo.Incident) string {
	b := list[0].Geometry.Bound()
	for _, in := range list {
		b = b.Union(in.Geometry.Bound())
	}
	return fmt.Sprintf("(%f, %f) - (%f, %f)", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
}

func TestFlatGeobufValuesRoundTripThroughGDAL(t *testing.T) {
	list := append(seedIncidents(t), hostileIncident())
	read := readWithGDAL(t, writeFormat(t, "fgb", list))
	if len(read) != len(list) {
		t.Fatalf("GDAL reads %d features of %d", len(read), len(list))
	}
	for _, in := range list {
		f, ok := read[in.ID]
		if !ok {
			t.Errorf("%s: missing", in.ID)
			continue
		}
		p := in.Props()
		want := map[string]any{"title": in.Title, "summary": in.Summary, "location": in.Location,
			"event_type": in.EventType, "starts_at": p.StartsAt, "ends_at": p.EndsAt,
			"fatalities_low": p.FatalitiesLow, "fatalities_best": p.FatalitiesBest, "fatalities_high": p.FatalitiesHigh,
			"actors": p.Actors, "claims": p.Claims, "sources": p.Sources, "external_ids": p.ExternalIDs}
		for name, value := range want {
			if got, want := normalJSON(t, f.Properties[name]), normalJSON(t, value); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s is %v, want %v", in.ID, name, got, want)
			}
		}
		if !orb.Equal(f.Geometry, in.Geometry) {
			t.Errorf("%s: geometry %v, want %v", in.ID, f.Geometry, in.Geometry)
		}
	}
}

// readWithGDAL converts the file at path to GeoJSON with ogr2ogr and
// returns its features by id.
func readWithGDAL(t *testing.T, path string, args ...string) map[string]*geojson.Feature {
	t.Helper()
	out := testenv.GDAL(t, "ogr2ogr", append([]string{"-f", "GeoJSON", "/vsistdout/", path}, args...)...)
	fc, err := geojson.UnmarshalFeatureCollection([]byte(out))
	if err != nil {
		t.Fatalf("ogr2ogr's GeoJSON: %v\n%s", err, out)
	}
	byID := map[string]*geojson.Feature{}
	for _, f := range fc.Features {
		byID[f.Properties.MustString("id", "")] = f
	}
	return byID
}

// normalJSON is v as JSON decodes it, so that values of different Go
// types (a time, a string; an int, a float64) compare by their JSON.
func normalJSON(t *testing.T, v any) any {
	t.Helper()
	if tm, ok := v.(time.Time); ok {
		v = tm.Format(time.RFC3339) // GDAL writes a DateTime in RFC 3339 too
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFlatGeobufOfNoIncidentsOpensEmpty(t *testing.T) {
	out := testenv.GDAL(t, "ogrinfo", "-al", "-so", writeFormat(t, "fgb", nil))
	if !strings.Contains(out, "Feature Count: 0") {
		t.Errorf("ogrinfo of an empty export:\n%s", out)
	}
}

func TestFlatGeobufLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	list := synthIncidents(100)
	boom := errors.New("boom")
	failAfter := func(n int) Each {
		return func(fn func(*geo.Incident) error) error {
			if err := eachOf(list[:n])(fn); err != nil {
				return err
			}
			return boom
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		w    io.Writer
		each Each
		want error
	}{
		{"a whole export", context.Background(), io.Discard, eachOf(list), nil},
		{"each fails", context.Background(), io.Discard, failAfter(50), boom},
		{"the context ends", cancelled, io.Discard, eachOf(list), context.Canceled},
		{"the client goes", context.Background(), failingWriter{boom}, eachOf(list), boom},
	}
	for _, c := range cases {
		if err := WriteFlatGeobuf(c.ctx, c.w, c.each, nil); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("%s: left %v in the temporary directory", c.name, left)
		}
	}
}

func TestFlatGeobufPastItsLimitFailsNamingF(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	list := synthIncidents(100)
	var whole, half countingWriter
	if err := WriteFlatGeobuf(context.Background(), &whole, eachOf(list), nil); err != nil {
		t.Fatal(err)
	}
	err := writeFlatGeobuf(context.Background(), &half, eachOf(list), nil, whole.n/2)
	var ge *geo.Error
	if !errors.As(err, &ge) || ge.Code != geo.ETooLarge || ge.Param != "f" {
		t.Fatalf("an export twice its limit: %v, want ETooLarge naming f", err)
	}
	if half.n != 0 {
		t.Errorf("a failed export wrote %d bytes", half.n)
	}
	if err := writeFlatGeobuf(context.Background(), io.Discard, eachOf(list), nil, whole.n*2); err != nil {
		t.Errorf("an export of half its limit: %v", err)
	}
	if left, _ := os.ReadDir(os.TempDir()); len(left) > 0 {
		t.Errorf("left %v in the temporary directory", left)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }
