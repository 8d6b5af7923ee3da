package tiles

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
	"incidentmap/internal/naturalearth"
	"incidentmap/internal/testenv"
)

// basemapFixture is a square of land around Mali with a hole, one border
// across it, its coastline and a label point at Mali's centre.
const basemapFixture = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"layer":"land"},"geometry":{"type":"MultiPolygon","coordinates":[
  [[[-12,10],[-12,25],[4,25],[4,10],[-12,10]],[[-6,14],[-4,14],[-4,16],[-6,16],[-6,14]]],
  [[[100,0],[101,0],[101,1],[100,1],[100,0]]]]}},
{"type":"Feature","properties":{"layer":"coastline"},"geometry":{"type":"LineString","coordinates":[[-12,10],[-12,25],[4,25]]}},
{"type":"Feature","properties":{"layer":"borders"},"geometry":{"type":"MultiLineString","coordinates":[[[-9,10],[-9,25]]]}},
{"type":"Feature","properties":{"layer":"country_labels","iso_a2":"ML","name_en":"Mali","name_fr":"Mali","minzoom":3},
 "geometry":{"type":"Point","coordinates":[-2,17]}}]}`

func newTestBasemap(t *testing.T, src string) *Basemap {
	t.Helper()
	b, err := NewBasemap(parseFeatures(t, []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFeatures(t *testing.T, raw []byte) *geojson.FeatureCollection {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// decodeBasemap fetches and decodes tile t.
func decodeBasemap(t *testing.T, b *Basemap, tile maptile.Tile) map[string]*mvt.Layer {
	t.Helper()
	gz, etag, err := b.Tile(context.Background(), tile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(etag, `"`) {
		t.Errorf("etag %q is not quoted", etag)
	}
	return layersByName(t, gz)
}

func TestBasemapTiles(t *testing.T) {
	b := newTestBasemap(t, basemapFixture)
	mali := orb.Point{-2, 17}
	tests := []struct {
		name   string
		tile   maptile.Tile
		counts map[string]int
	}{
		{"the world tile has every layer; Mali's label waits for zoom 3", maptile.At(mali, 0), map[string]int{"land": 2, "coastline": 1, "borders": 1, "country_labels": 0}},
		{"the z3 tile over Mali has its label", maptile.At(mali, 3), map[string]int{"country_labels": 1}},
		{"a z6 tile over Mali has land and the label", maptile.At(mali, 6), map[string]int{"land": 1, "coastline": 0, "borders": 0, "country_labels": 1}},
		{"a z6 tile on the border has it", maptile.At(orb.Point{-9, 12}, 6), map[string]int{"land": 1, "borders": 1, "country_labels": 0}},
		{"a z4 tile over the Pacific is empty", maptile.At(orb.Point{-150, 0}, 4), map[string]int{"land": 0, "coastline": 0, "borders": 0, "country_labels": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			layers := decodeBasemap(t, b, tc.tile)
			for _, name := range BasemapLayers {
				if layers[name] == nil {
					t.Fatalf("layer %s missing", name)
				}
			}
			for name, want := range tc.counts {
				if got := len(layers[name].Features); got != want {
					t.Errorf("%s: %d features, want %d", name, got, want)
				}
			}
		})
	}
}

func TestBasemapPolygonsAreOrientedAndInsideTheBuffer(t *testing.T) {
	b := newTestBasemap(t, basemapFixture)
	layers := decodeBasemap(t, b, maptile.At(orb.Point{-5, 15}, 4))
	if len(layers["land"].Features) != 1 {
		t.Fatalf("land: %d features", len(layers["land"].Features))
	}
	var polys []orb.Polygon
	switch g := layers["land"].Features[0].Geometry.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		t.Fatalf("land is a %T", g)
	}
	for _, p := range polys {
		for i, r := range p {
			// MVT 2.1: exterior rings clockwise on screen, which orb (y up) calls CCW.
			want := orb.CW
			if i == 0 {
				want = orb.CCW
			}
			if r.Orientation() != want {
				t.Errorf("ring %d has orientation %v", i, r.Orientation())
			}
			for _, pt := range r {
				if pt[0] < -64 || pt[0] > Extent+64 || pt[1] < -64 || pt[1] > Extent+64 {
					t.Fatalf("point %v outside the buffer", pt)
				}
			}
		}
	}
	if len(polys[0]) != 2 {
		t.Errorf("the hole is lost: %d rings", len(polys[0]))
	}
}

func TestBasemapErrors(t *testing.T) {
	if _, err := NewBasemap(parseFeatures(t, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"layer":"roads"},"geometry":{"type":"Point","coordinates":[0,0]}}]}`))); err == nil {
		t.Error("an unknown layer was accepted")
	}
	b := newTestBasemap(t, basemapFixture)
	_, _, err := b.Tile(context.Background(), maptile.New(4, 0, 1))
	var ge *geo.Error
	if !errors.As(err, &ge) || ge.Code != geo.ENotFound {
		t.Errorf("tile outside the pyramid: %v", err)
	}
}

func TestBasemapCachesTiles(t *testing.T) {
	b := newTestBasemap(t, basemapFixture)
	tile := maptile.At(orb.Point{-5, 15}, 5)
	first, etag1, _ := b.Tile(context.Background(), tile)
	second, etag2, _ := b.Tile(context.Background(), tile)
	if etag1 != etag2 || !bytes.Equal(first, second) {
		t.Error("the same tile changed")
	}
	if entries, _ := b.cache.stats(); entries != 1 {
		t.Errorf("%d cache entries, want 1", entries)
	}
}

// TestBuiltBasemap cuts the real Natural Earth basemap written by
// static/build.mjs (make web), when it has been built, with the embedded
// water and towns, as the server does.
func TestBuiltBasemap(t *testing.T) {
	raw, err := os.ReadFile("../static/dist/basemap/basemap.geojson")
	testenv.Need(t, "the built basemap (make web)", err)
	fc := parseFeatures(t, raw)
	water, err := naturalearth.Features()
	if err != nil {
		t.Fatal(err)
	}
	fc.Features = append(fc.Features, water.Features...)
	b, err := NewBasemap(fc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tile     maptile.Tile
		maxBytes int
	}{
		{maptile.New(0, 0, 0), 300 << 10},
		{maptile.At(orb.Point{-4, 14}, 4), 100 << 10},
		{maptile.At(orb.Point{-4, 14}, 8), 50 << 10},
		{maptile.At(mopti, 5), 50 << 10},
		{maptile.At(mopti, 7), 50 << 10},
		{maptile.At(mopti, 9), 50 << 10},
	} {
		start := time.Now()
		gz, _, err := b.Tile(context.Background(), tc.tile)
		if err != nil {
			t.Fatal(err)
		}
		layers := decodeBasemap(t, b, tc.tile)
		t.Logf("basemap %d/%d/%d: %d bytes gzipped, %d land parts, built in %v", tc.tile.Z, tc.tile.X, tc.tile.Y,
			len(gz), len(layers["land"].Features), time.Since(start))
		if len(gz) > tc.maxBytes {
			t.Errorf("tile %v: %d bytes, want at most %d", tc.tile, len(gz), tc.maxBytes)
		}
		if len(layers["land"].Features) == 0 {
			t.Errorf("tile %v has no land", tc.tile)
		}
	}
	if z1 := decodeBasemap(t, b, maptile.New(0, 0, 1)); len(z1["country_labels"].Features) > 20 {
		t.Errorf("z1 has %d country labels: small countries should wait for their minzoom", len(z1["country_labels"].Features))
	}
	mali := decodeBasemap(t, b, maptile.At(orb.Point{-2, 17}, 3))
	found := false
	for _, f := range mali["country_labels"].Features {
		found = found || f.Properties["iso_a2"] == "ML" && f.Properties["name_fr"] == "Mali"
	}
	if !found {
		t.Error("no Mali label at z3")
	}
}
