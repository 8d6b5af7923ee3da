package server_test

import (
	"fmt"
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

// GDAL's OGCAPI driver, as an analyst runs it (`ogrinfo OGCAPI:<landing
// page>`, then a collection it lists), finds each collection's tileset
// from the collection's document, reads its tile matrix set and limits,
// and draws the features of a zoom level from the tiles: at z10 over
// Moura, the incidents' and the places' layers each hold a point at Moura,
// and the incidents' of a window without the Moura killings none. The driver is GDAL's own; Debian 12 built it
// without its vector branch, so testenv.OGCAPIDriver has it built from
// Debian's source when the installed one lacks it.
func TestGDALOpensOGCAPITilesets(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	env := testenv.OGCAPIDriver(t)
	tile := maptile.At(moura, 10)
	bound := tile.Bound()
	lo := project.Point(bound.Min, project.WGS84.ToMercator)
	hi := project.Point(bound.Max, project.WGS84.ToMercator)
	// GDAL 3.6 takes a collection's extent (CRS84) for coordinates of the
	// tile matrix set (metres): the documented open options say the area
	// to read instead, here the one tile, a metre inside its edges.
	area := []string{"-oo", fmt.Sprintf("MINX=%f", lo[0]+1), "-oo", fmt.Sprintf("MINY=%f", lo[1]+1),
		"-oo", fmt.Sprintf("MAXX=%f", hi[0]-1), "-oo", fmt.Sprintf("MAXY=%f", hi[1]-1)}
	want := project.Point(moura, project.WGS84.ToMercator)
	landing := testenv.GDALWith(t, env, "ogrinfo", "-ro", "-so", "OGCAPI:"+a.URL+"/")
	for _, collection := range []string{"incidents", "places"} {
		source := "OGCAPI:" + a.URL + "/collections/" + collection
		if !strings.Contains(landing, "_NAME="+source+"\n") {
			t.Errorf("the landing page does not offer %s:\n%s", source, landing)
		}
	}
	for _, c := range []struct {
		source string
		moura  bool // a point at Moura at z10
	}{
		{"/collections/incidents", true},
		{"/collections/places", true},
		// The filters of the URL GDAL opens reach the tiles: the
		// collection carries them into its tileset links.
		{"/collections/incidents?datetime=2022-03-27/2022-03-31", true},
		{"/collections/incidents?datetime=2022-06-01/2022-06-30", false},
	} {
		source := "OGCAPI:" + a.URL + c.source
		layers := testenv.GDALWith(t, env, "ogrinfo", append(append([]string{"-ro", "-so"}, area...), source)...)
		if !strings.Contains(layers, ": Zoom level 10\n") {
			t.Errorf("%s: no layer for z10:\n%s", source, layers)
			continue
		}
		out := testenv.GDALWith(t, env, "ogrinfo", append(append([]string{"-ro", "-al", "-q"}, area...), source, "Zoom level 10")...)
		nearest := math.Inf(1)
		for _, m := range regexp.MustCompile(`POINT \(([-\d.e+]+) ([-\d.e+]+)\)`).FindAllStringSubmatch(out, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			y, _ := strconv.ParseFloat(m[2], 64)
			nearest = min(nearest, math.Hypot(x-want[0], y-want[1]))
		}
		if (nearest <= 50) != c.moura {
			t.Errorf("%s, z10: the nearest point is %.0f m from Moura, want a point there: %v\n%s", source, nearest, c.moura, out)
		}
	}
}
