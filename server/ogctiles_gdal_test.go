package server_test

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// moura is where the seed's Moura incident lies.
var moura = orb.Point{-4.5997, 14.3261}

// GDAL's MVT driver, a real decoder, reads the tiles of OGC API - Tiles as
// a client gets them from the tileset's template: a collection's tile holds
// that collection's layer alone and the dataset's both, and {tileRow} and
// {tileCol} are y and x: placed in that tile, Moura's incident lands at
// Moura.
func TestGDALReadsOGCAPITiles(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	tile := maptile.At(moura, 10)
	want := project.Point(moura, project.WGS84.ToMercator)
	for _, tc := range []struct {
		tileset string
		layers  []string
	}{
		{"/collections/incidents/tiles", []string{"incidents"}},
		{"/collections/places/tiles", []string{"places"}},
		{"/tiles", []string{"incidents", "places"}},
	} {
		var meta struct {
			Links []struct{ Href, Rel, Type string }
		}
		a.GetJSON(t, tc.tileset+"/WebMercatorQuad", 200, &meta)
		var template string
		for _, l := range meta.Links {
			if l.Rel == "item" && l.Type == "application/vnd.mapbox-vector-tile" {
				template = l.Href
			}
		}
		path := strings.NewReplacer("{tileMatrix}", strconv.Itoa(int(tile.Z)), "{tileRow}", strconv.Itoa(int(tile.Y)),
			"{tileCol}", strconv.Itoa(int(tile.X))).Replace(strings.TrimPrefix(template, a.URL))
		res, body := a.Get(t, path)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s (from %q): %d %s", path, template, res.StatusCode, body)
		}
		file := filepath.Join(t.TempDir(), "tile.mvt")
		if err := os.WriteFile(file, body, 0o600); err != nil {
			t.Fatal(err)
		}
		out := testenv.GDAL(t, "ogrinfo", "-ro", "-al", "-oo", "X="+strconv.Itoa(int(tile.X)),
			"-oo", "Y="+strconv.Itoa(int(tile.Y)), "-oo", "Z="+strconv.Itoa(int(tile.Z)), "MVT:"+file)
		var names []string
		for _, m := range regexp.MustCompile(`(?m)^Layer name: (\w+)`).FindAllStringSubmatch(out, -1) {
			names = append(names, m[1])
		}
		if strings.Join(names, ",") != strings.Join(tc.layers, ",") {
			t.Errorf("%s: layers %v, want %v", path, names, tc.layers)
		}
		if tc.layers[0] != "incidents" {
			continue
		}
		at := regexp.MustCompile(`id \(String\) = moura-2022-03\n(?:.*\n)*?\s+POINT \(([-\d.]+) ([-\d.]+)\)`).FindStringSubmatch(out)
		if at == nil {
			t.Errorf("%s: no moura-2022-03 point:\n%s", path, out)
			continue
		}
		x, _ := strconv.ParseFloat(at[1], 64)
		y, _ := strconv.ParseFloat(at[2], 64)
		if d := math.Hypot(x-want[0], y-want[1]); d > 50 {
			t.Errorf("%s: Moura's incident %.0f m from Moura (at %s, %s)", path, d, at[1], at[2])
		}
	}
}
