package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"incidentmap/geo"
)

func readArchive(t *testing.T, path string) (pmtiles.HeaderV3, map[uint64][]byte) {
	t.Helper()
	h, tiles, err := ReadTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	return h, tiles
}

func TestAnArchiveReadsBackWithGoPMTiles(t *testing.T) {
	a := newArchive([4]float64{-5.3, 13.8, -3.9, 14.9}, vectorMeta("test", "incidents"))
	empty, full := []byte("empty"), []byte("full")
	a.add(0, 0, 0, full)
	for x := uint32(0); x < 2; x++ {
		for y := uint32(0); y < 2; y++ {
			a.add(1, x, y, empty) // one content, four tiles
		}
	}
	a.add(5, 15, 14, full)
	path := filepath.Join(t.TempDir(), "t.pmtiles")
	if err := a.write(path); err != nil {
		t.Fatal(err)
	}
	h, tiles := readArchive(t, path)
	if h.SpecVersion != 3 || h.TileType != pmtiles.Mvt || h.TileCompression != pmtiles.Gzip || h.MinZoom != 0 || h.MaxZoom != 5 {
		t.Errorf("header %+v", h)
	}
	if h.AddressedTilesCount != 6 || h.TileContentsCount != 2 || h.TileDataLength != uint64(len(empty)+len(full)) {
		t.Errorf("counts: addressed %d, contents %d, data %d bytes", h.AddressedTilesCount, h.TileContentsCount, h.TileDataLength)
	}
	if h.MinLonE7 != -53000000 || h.MaxLatE7 != 149000000 {
		t.Errorf("bounds %d %d", h.MinLonE7, h.MaxLatE7)
	}
	if len(tiles) != 6 || !bytes.Equal(tiles[pmtiles.ZxyToID(1, 1, 1)], empty) || !bytes.Equal(tiles[pmtiles.ZxyToID(5, 15, 14)], full) {
		t.Errorf("tiles read back: %d %q %q", len(tiles), tiles[pmtiles.ZxyToID(1, 1, 1)], tiles[pmtiles.ZxyToID(5, 15, 14)])
	}
}

func TestZoomsGoAsDeepAsTheTileBudgetAllows(t *testing.T) {
	last := func(b geo.BBox, maxZ maptile.Zoom) (maptile.Zoom, int) {
		rs := zoomsFor(b, maxZ)
		n := 0
		for _, r := range rs {
			n += r.tileCount
		}
		return rs[len(rs)-1].z, n
	}
	if z, n := last(geo.BBox{MinLon: -5.3, MinLat: 13.8, MaxLon: -3.9, MaxLat: 14.9}, IncidentMaxZoom); z != IncidentMaxZoom || n > MaxTiles {
		t.Errorf("around Moura: to zoom %d, %d tiles", z, n)
	}
	if z, n := last(geo.BBox{MinLon: -180, MinLat: -85, MaxLon: 180, MaxLat: 85}, IncidentMaxZoom); z != 6 || n > MaxTiles {
		t.Errorf("the world: to zoom %d, %d tiles", z, n)
	}
	if z, _ := last(geo.BBox{MinLon: 170, MinLat: -10, MaxLon: -170, MaxLat: 10}, 3); z != 3 {
		t.Errorf("across the antimeridian: to zoom %d", z)
	}
}

// fakes: a store of one incident, tiles that say which tile they are.
type fakeIncidents []geo.Incident

func (f fakeIncidents) Incidents(context.Context, geo.Filter, geo.Page) ([]geo.Incident, error) {
	return f, nil
}

type fakeTiles struct{ failAt maptile.Zoom }

func (f fakeTiles) Tile(_ context.Context, t maptile.Tile, _ geo.Filter, _ bool) ([]byte, string, error) {
	if f.failAt != 0 && t.Z == f.failAt {
		return nil, "", errors.New("the index is gone")
	}
	return []byte(name(t)), "", nil
}

func name(t maptile.Tile) string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

type fakeBasemap struct{}

func (fakeBasemap) Tile(_ context.Context, t maptile.Tile) ([]byte, string, error) {
	return []byte("base " + name(t)), "", nil
}

var fakeAssets = fstest.MapFS{
	"archive.html":                   {Data: []byte(`<title>{{.Title}}</title><p>{{.Caption}}</p><div id="map" data-bounds="{{.Bounds}}"></div>`)},
	"js/archive.js":                  {Data: []byte("//")},
	"js/panel.js":                    {Data: []byte("//")},
	"vendor/maplibre-gl/x.mjs":       {Data: []byte("//")},
	"vendor/pmtiles/pmtiles.mjs":     {Data: []byte("//")},
	"base.css":                       {Data: []byte("")},
	"archive.css":                    {Data: []byte("")},
	"favicon.svg":                    {Data: []byte("<svg/>")},
	"vendor/maplibre-gl/LICENSE.txt": {Data: []byte("BSD")},
}

func fakeView() View {
	day := func(d int) *time.Time { t := time.Date(2022, 3, d, 0, 0, 0, 0, time.UTC); return &t }
	return View{
		Filter: geo.Filter{Time: geo.Interval{Start: day(27), End: day(31)}, BBox: &geo.BBox{MinLon: -5.3, MinLat: 13.8, MaxLon: -3.9, MaxLat: 14.9}},
		Lang:   "en",
		Style:  []byte(`{"version":8,"sources":{"incidentmap":{"type":"vector","tiles":["/tiles/{z}/{x}/{y}.mvt"]},"basemap":{"type":"vector","tiles":["/b"]}},"layers":[]}`),
		Describe: func(lang string, _ geo.Filter, list []geo.Incident) (string, string) {
			return "Incidents near Moura <b>", "one"
		},
		Now: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
	}
}

func fakeSources(tiles Tiles) Sources {
	moura := geo.Incident{ID: "moura-2022-03", Title: "Killings in Moura", Location: "Moura", Geometry: orb.Point{-4.6, 14.1}}
	return Sources{Incidents: fakeIncidents{moura}, Tiles: tiles, Basemap: fakeBasemap{}, Assets: fakeAssets}
}

func TestWriteMakesTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	sum, err := Write(context.Background(), dir, fakeView(), fakeSources(fakeTiles{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{PageFile, StyleFile, IncidentsFile, IncidentTilesFile, BasemapTilesFile,
		"js/archive.js", "vendor/pmtiles/pmtiles.mjs", "vendor/maplibre-gl/x.mjs", "archive.css"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the archive lacks %s: %v", f, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, PageFile))
	if !strings.Contains(string(page), "Incidents near Moura &lt;b&gt;") {
		t.Errorf("the page does not carry the escaped caption:\n%s", page)
	}
	style, _ := os.ReadFile(filepath.Join(dir, StyleFile))
	if !strings.Contains(string(style), `"url":"pmtiles://incidents.pmtiles"`) || !strings.Contains(string(style), `"url":"pmtiles://basemap.pmtiles"`) ||
		strings.Contains(string(style), "/tiles/") {
		t.Errorf("the style's sources are not the archives: %s", style)
	}
	h, tiles := readArchive(t, filepath.Join(dir, IncidentTilesFile))
	if h.MaxZoom != IncidentMaxZoom || len(tiles) != sum.IncidentTiles {
		t.Errorf("incident archive to zoom %d with %d tiles (summary %+v)", h.MaxZoom, len(tiles), sum)
	}
	moura := maptile.At(orb.Point{-4.6, 14.1}, 12)
	if got := string(tiles[pmtiles.ZxyToID(12, moura.X, moura.Y)]); got != name(moura) {
		t.Errorf("Moura's tile holds %q", got)
	}
	if h, _ := readArchive(t, filepath.Join(dir, BasemapTilesFile)); h.MaxZoom != BasemapMaxZoom {
		t.Errorf("basemap archive to zoom %d", h.MaxZoom)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o755 {
		t.Errorf("the folder's mode is %v", st.Mode().Perm())
	}
}

func TestAFailureLeavesNothingBehind(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if _, err := Write(context.Background(), dir, fakeView(), fakeSources(fakeTiles{failAt: 9})); err == nil ||
		!strings.Contains(err.Error(), "the index is gone") {
		t.Fatalf("Write = %v, want the tiles' error", err)
	}
	if left, _ := os.ReadDir(parent); len(left) != 0 {
		t.Errorf("a failed publish left %v", left)
	}
}

func TestTheOutputMustBeNewOrEmpty(t *testing.T) {
	parent := t.TempDir()
	full := filepath.Join(parent, "full")
	file := filepath.Join(parent, "file")
	_ = os.Mkdir(full, 0o755)
	_ = os.WriteFile(filepath.Join(full, "keep"), nil, 0o644)
	_ = os.WriteFile(file, nil, 0o644)
	_ = os.Mkdir(filepath.Join(parent, "empty"), 0o755)
	for dir, want := range map[string]string{
		"":                                 "an output directory is required",
		full:                               "exists and is not empty",
		file:                               "is not a directory",
		filepath.Join(file, "under"):       "does not exist",
		filepath.Join(parent, "no", "dir"): "does not exist",
		filepath.Join(parent, "empty"):     "",
		filepath.Join(parent, "new"):       "",
	} {
		err := CheckOut(dir)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckOut(%q) = %v, want %q", dir, err, want)
		}
	}
}
