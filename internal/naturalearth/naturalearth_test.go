package naturalearth

import (
	"slices"
	"strings"
	"testing"
)

// TestEmbeddedWaterAndTowns reads the committed file as the binary does:
// the rivers, lakes and towns of the inner Niger delta are there, named
// right.
func TestEmbeddedWaterAndTowns(t *testing.T) {
	fc, err := Features()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{} // layer -> names
	for _, f := range fc.Features {
		layer := f.Properties.MustString("layer", "")
		if !slices.Contains(Layers, layer) {
			t.Fatalf("feature of layer %q", layer)
		}
		for _, key := range []string{"rank", "minzoom"} {
			if _, ok := f.Properties[key].(float64); !ok {
				t.Fatalf("%s feature %v has no %s", layer, f.Properties["name"], key)
			}
		}
		if name := f.Properties.MustString("name", ""); name != "" {
			names[layer] = append(names[layer], name)
		}
	}
	want := map[string][]string{
		"rivers": {"Niger", "Bani", "Sénégal", "Mouhoun"},
		"lakes":  {"Lake Débo", "Lake Chad"},
		"towns":  {"Mopti", "Djenné", "Ségou", "Ménaka", "Timbuktu", "Néma", "N'Djaména"},
	}
	for layer, ws := range want {
		for _, w := range ws {
			if !slices.Contains(names[layer], w) {
				t.Errorf("%s: no %q", layer, w)
			}
		}
	}
	for layer, ns := range names {
		for _, n := range ns {
			if strings.Contains(n, "Dbo") || strings.ContainsRune(n, '\uFFFD') {
				t.Errorf("%s: broken name %q", layer, n)
			}
		}
	}
}

// TestEmbeddedFileStaysSmall holds the committed file to its budget: it
// is in every binary and every clone.
func TestEmbeddedFileStaysSmall(t *testing.T) {
	if len(gzipped) > 160<<10 {
		t.Errorf("basemap-10m.geojson.gz is %d bytes, budget 160 KiB", len(gzipped))
	}
}
