package tiles

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/internal/naturalearth"
)

var mopti = orb.Point{-4.18, 14.49}

// waterBasemap is the basemap of the embedded rivers, lakes and towns.
func waterBasemap(t *testing.T) *Basemap {
	t.Helper()
	fc, err := naturalearth.Features()
	if err != nil {
		t.Fatal(err)
	}
	return must(NewBasemap(fc))(t)
}

// must turns a value and its error into a function that fails t on the
// error, or returns the value.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// names lists the names of a tile layer's features.
func names(t *testing.T, b *Basemap, tile maptile.Tile, layer string) []string {
	t.Helper()
	var out []string
	for _, f := range decodeBasemap(t, b, tile)[layer].Features {
		if n, ok := f.Properties["name"].(string); ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// TestBasemapWaterAppearsByRank zooms in over Mopti: the Niger first,
// then Djenné, then the Bani, Lake Débo and Mopti, then the small towns.
func TestBasemapWaterAppearsByRank(t *testing.T) {
	b := waterBasemap(t)
	tests := []struct {
		z             maptile.Zoom
		layer         string
		shown, hidden []string
	}{
		{2, "rivers", nil, []string{"Niger"}},
		{3, "rivers", []string{"Niger"}, []string{"Bani"}},
		{5, "rivers", []string{"Niger"}, []string{"Bani"}},
		{6, "rivers", []string{"Niger", "Bani"}, nil},
		{5, "lakes", nil, []string{"Lake Débo"}},
		{6, "lakes", []string{"Lake Débo"}, nil},
		{4, "towns", nil, []string{"Djenné", "Mopti"}},
		{5, "towns", []string{"Djenné"}, []string{"Mopti"}},
		{6, "towns", []string{"Djenné", "Mopti"}, []string{"San"}},
		{7, "towns", []string{"Mopti", "San"}, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("z%d %s", tc.z, tc.layer), func(t *testing.T) {
			got := map[string]bool{}
			for _, at := range []orb.Point{mopti, {-4.15, 15.34}, {-4.9, 13.3}} { // Mopti, Lake Débo, San
				for _, n := range names(t, b, maptile.At(at, tc.z), tc.layer) {
					got[n] = true
				}
			}
			for _, n := range tc.shown {
				if !got[n] {
					t.Errorf("no %s at z%d", n, tc.z)
				}
			}
			for _, n := range tc.hidden {
				if got[n] {
					t.Errorf("%s already at z%d", n, tc.z)
				}
			}
		})
	}
}

func TestBasemapTownsCarryTheirRank(t *testing.T) {
	b := waterBasemap(t)
	for _, f := range decodeBasemap(t, b, maptile.At(mopti, 8))["towns"].Features {
		if f.Properties["name"] == "Mopti" {
			if f.Properties["rank"] != 9.0 || f.Properties["kind"] != "admin1" {
				t.Errorf("Mopti: %v", f.Properties)
			}
			return
		}
	}
	t.Error("no Mopti at z8")
}

// TestBasemapTileSizesOverMopti logs and bounds the tiles a reader of the
// inner delta loads, with the water and towns.
func TestBasemapTileSizesOverMopti(t *testing.T) {
	b := waterBasemap(t)
	for _, z := range []maptile.Zoom{5, 7, 9, BasemapMaxZoom} {
		gz, _, err := b.Tile(context.Background(), maptile.At(mopti, z))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("water and towns over Mopti, z%d: %d bytes gzipped", z, len(gz))
		if len(gz) > 24<<10 {
			t.Errorf("z%d: %d bytes", z, len(gz))
		}
	}
}
