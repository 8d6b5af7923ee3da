package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

func TestVectorTiles(t *testing.T) {
	a := testapp.Start(t)

	t.Run("the z12 tile around Moura holds Moura in March 2022, not in May", func(t *testing.T) {
		path, _ := testapp.TilePath(testapp.Moura, 12)
		march := a.TileLayers(t, path+"?datetime=2022-03-27/2022-03-31")
		if !slices.Contains(testapp.FeatureIDs(march["incidents"]), "moura-2022-03") {
			t.Errorf("March: %v", testapp.FeatureIDs(march["incidents"]))
		}
		may := a.TileLayers(t, path+"?datetime=2022-05-01/2022-05-31")
		if slices.Contains(testapp.FeatureIDs(may["incidents"]), "moura-2022-03") {
			t.Errorf("May: %v", testapp.FeatureIDs(may["incidents"]))
		}
	})
	t.Run("GDAL's MVT driver decodes the tile with t0 and event_type", func(t *testing.T) {
		path, tile := testapp.TilePath(testapp.Moura, 12)
		_, body := a.Get(t, path+"?datetime=2022-03-27/2022-03-31")
		file := filepath.Join(t.TempDir(), "moura.mvt")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		out := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-oo", "Z="+strconv.Itoa(int(tile.Z)), "-oo", "X="+strconv.Itoa(int(tile.X)),
			"-oo", "Y="+strconv.Itoa(int(tile.Y)), file)
		for _, want := range []string{"Layer name: incidents", "t0 (", "event_type (", "moura-2022-03", "t0 (Integer"} {
			if !strings.Contains(out, want) {
				t.Errorf("ogrinfo output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("the z10 tile around Gossi has the base held by Mali at the end of April 2022", func(t *testing.T) {
		path, _ := testapp.TilePath(orb.Point{-1.3071, 15.8165}, 10)
		holder := func(window string) any {
			for _, f := range a.TileLayers(t, path+"?datetime="+window)["places"].Features {
				if f.Properties["name"] == "Gossi" {
					return f.Properties["holder"]
				}
			}
			return nil
		}
		if h := holder("2022-04-01/2022-04-30"); h != "Mali" {
			t.Errorf("end of April: %v", h)
		}
		if h := holder("2022-04-01/2022-04-18"); h != "France" {
			t.Errorf("18 April: %v", h)
		}
	})
	t.Run("the z3 tile is small", func(t *testing.T) {
		path, _ := testapp.TilePath(testapp.Moura, 3)
		res, body := a.Get(t, path)
		if res.StatusCode != http.StatusOK || len(body) > 500<<10 {
			t.Errorf("z3: status %d, %d bytes", res.StatusCode, len(body))
		}
	})
	t.Run("bad tiles and bad filters", func(t *testing.T) {
		for path, status := range map[string]int{
			"/tiles/a/1/1.mvt":                   http.StatusBadRequest,
			"/tiles/3/-1/1.mvt":                  http.StatusBadRequest,
			"/tiles/3/8/1.mvt":                   http.StatusNotFound,
			"/tiles/40/0/0.mvt":                  http.StatusNotFound,
			"/tiles/3/1/1.png":                   http.StatusNotFound,
			"/tiles/3/1/1.mvt?datetime=tomorrow": http.StatusBadRequest,
			"/tiles/3/1/1.mvt?color=red":         http.StatusBadRequest,
			"/tiles/3/1/1.mvt?bbox=1,2":          http.StatusBadRequest,
		} {
			if res, body := a.Get(t, path); res.StatusCode != status {
				t.Errorf("%s: %d, want %d: %s", path, res.StatusCode, status, body)
			}
		}
	})
	t.Run("ETag, 304, Cache-Control, gzip and CORS", func(t *testing.T) {
		path, _ := testapp.TilePath(testapp.Moura, 8)
		res, body := a.Get(t, path, "Accept-Encoding", "gzip", "Origin", "https://news.example")
		if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
			t.Errorf("headers %v", res.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
		if res.Header.Get("Cache-Control") == "" || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("headers %v", res.Header)
		}
		if res, _ := a.Get(t, path, "If-None-Match", res.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", res.StatusCode)
		}
	})
	t.Run("TileJSON 3.0.0 lists both layers and carries the filters", func(t *testing.T) {
		var tj struct {
			TileJSON     string `json:"tilejson"`
			Tiles        []string
			VectorLayers []struct{ ID string } `json:"vector_layers"`
			Bounds       []float64
			Center       []float64
		}
		a.GetJSON(t, "/tiles.json?datetime=2022-03-27/2022-03-31&event_type=battles", http.StatusOK, &tj)
		if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || len(tj.VectorLayers) != 2 || len(tj.Bounds) != 4 || len(tj.Center) != 3 {
			t.Fatalf("tilejson %+v", tj)
		}
		if !strings.Contains(tj.Tiles[0], "datetime=2022-03-27%2F2022-03-31") || !strings.Contains(tj.Tiles[0], "event_type=battles") {
			t.Errorf("tiles URL %s", tj.Tiles[0])
		}
		a.GetJSON(t, "/tiles.json?datetime=nope", http.StatusBadRequest, nil)
	})
	t.Run("a write shows in its tile at once", func(t *testing.T) {
		path, _ := testapp.TilePath(testapp.Moura, 12)
		path += "?datetime=2022-03-27/2022-03-31"
		a.TileLayers(t, path) // cached now
		db, err := sql.Open("postgres", a.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = db.ExecContext(context.Background(), `INSERT INTO incidents (id, title, event_type, geom, country,
			geo_precision, starts_at, ends_at, date_precision) VALUES ('test-write', 'Test write', 'battles',
			ST_SetSRID(ST_MakePoint(-4.59, 14.33), 4326), 'ML', 'exact', '2022-03-28', '2022-03-28', 'day')`)
		if err != nil {
			t.Fatal(err)
		}
		took := a.WaitTile(t, path, "test-write", true, 10*time.Second)
		t.Logf("the write showed in its cached tile after %v", took)
	})
}
