package server_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/internal/testenv/testapp"
)

// TestBasemapTilesServeWaterAndTowns asks the whole program for the
// basemap over Mopti: the embedded rivers, lakes and towns are served with
// the countries, the small ones from their zoom on.
func TestBasemapTilesServeWaterAndTowns(t *testing.T) {
	a := testapp.Start(t)
	names := func(z maptile.Zoom, layer string) []string {
		path, _ := testapp.TilePath(orb.Point{-4.18, 14.49}, z)
		layers := a.TileLayers(t, strings.Replace(path, "/tiles/", "/tiles/basemap/", 1))
		if layers["land"] == nil || layers[layer] == nil {
			t.Fatalf("%s: no land or no %s layer", path, layer)
		}
		var out []string
		for _, f := range layers[layer].Features {
			if n, ok := f.Properties["name"].(string); ok {
				out = append(out, n)
			}
		}
		return out
	}
	if rivers := names(4, "rivers"); !slices.Contains(rivers, "Niger") || slices.Contains(rivers, "Bani") {
		t.Errorf("z4 rivers %v: want the Niger, not yet the Bani", rivers)
	}
	if rivers := names(8, "rivers"); !slices.Contains(rivers, "Niger") || !slices.Contains(rivers, "Bani") {
		t.Errorf("z8 rivers %v: want the Niger and the Bani", rivers)
	}
	if towns := names(8, "towns"); !slices.Contains(towns, "Mopti") {
		t.Errorf("z8 towns %v: want Mopti", towns)
	}
}
