package static_test

import (
	"bytes"
	"encoding/json"
	"image/color"
	"image/png"
	"os"
	"slices"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// TestBasemapWaterInBrowser looks at the inner Niger delta in the viewer:
// the basemap draws the Niger and the Bani, Lake Débo and the towns the
// gazetteer lacks, while the gazetteer's places and the incidents still
// show; a town the gazetteer has (Mopti, Djenné) is named once, by our
// label. /map.png draws the same water.
func TestBasemapWaterInBrowser(t *testing.T) {
	a := testapp.Start(t)
	b := newBrowser(t, 1280, 800)
	rendered := func(layer string) []string {
		var names []string
		b.eval(t, `[...new Set(window.__incidentmap.map.queryRenderedFeatures({layers: ['`+layer+`']})
			.map((f) => f.properties.name).filter(Boolean))]`, &names)
		return names
	}
	tilesLoaded := `window.__incidentmap.map.isSourceLoaded('basemap') && window.__incidentmap.map.areTilesLoaded()`

	t.Run("around Moura: the rivers, our places and the incident", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		b.waitFor(t, tilesLoaded)
		rivers := rendered("rivers")
		if !slices.Contains(rivers, "Niger") || !slices.Contains(rivers, "Bani") {
			t.Errorf("rivers drawn: %v, want the Niger and the Bani", rivers)
		}
		// Our label names a place; where it finds no room (Mopti's yields
		// to Sévaré's), the basemap's may, but never both.
		places, towns := rendered("place-labels"), rendered("town-labels")
		for _, want := range []string{"Moura", "Mopti", "Djenné"} {
			if n := count(places, want) + count(towns, want); n != 1 {
				t.Errorf("%s is named %d times: places %v, towns %v", want, n, places, towns)
			}
		}
		var inTiles []string
		b.eval(t, `[...new Set(window.__incidentmap.map.querySourceFeatures('basemap', {sourceLayer: 'towns'})
			.map((f) => f.properties.name))]`, &inTiles)
		if !slices.Contains(inTiles, "Mopti") || !slices.Contains(inTiles, "Djenné") {
			t.Errorf("the basemap's towns lack Mopti or Djenné: %v", inTiles)
		}
		if !containsAny(b.renderedLocations(t), "Moura") {
			t.Error("the incident at Moura is not drawn")
		}
		b.screenshot(t, "basemap-water-moura.png")
	})
	for _, theme := range []string{"light", "dark"} {
		t.Run("the inner delta in the "+theme+" theme: lake, rivers and towns", func(t *testing.T) {
			b.open(t, a.URL+"/?datetime=2022-03-01/2022-04-30&bbox=-6.5,13.0,-3.0,15.6&lang=en&theme="+theme)
			b.waitFor(t, tilesLoaded)
			if lakes := rendered("lakes"); !slices.Contains(lakes, "Lake Débo") {
				t.Errorf("lakes drawn: %v", lakes)
			}
			if rivers := rendered("rivers"); !slices.Contains(rivers, "Niger") || !slices.Contains(rivers, "Bani") {
				t.Errorf("rivers drawn: %v", rivers)
			}
			towns := rendered("town-labels")
			if !slices.Contains(towns, "San") && !slices.Contains(towns, "Markala") {
				t.Errorf("town labels drawn: %v, want San or Markala", towns)
			}
			places := rendered("place-labels")
			for _, town := range towns {
				if slices.Contains(places, town) {
					t.Errorf("%s is named by the basemap and the gazetteer", town)
				}
			}
			if len(places) == 0 || len(b.renderedLocations(t)) == 0 {
				t.Errorf("the places (%v) or the incidents are gone", places)
			}
			b.screenshot(t, "basemap-water-delta-"+theme+".png")
		})
	}
	t.Run("/map.png fills Lake Débo in the water colour", func(t *testing.T) {
		_, body := a.Get(t, "/map.png?bbox=-4.195,15.31,-4.095,15.37&width=1200&height=630&datetime=2022-03-27/2022-03-31")
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		if err := os.WriteFile(artifact(t, "map-lake-debo.png"), body, 0o644); err != nil {
			t.Log(err) // kept for a person to look at
		}
		water := color.NRGBA{0xd7, 0xe3, 0xea, 0xff}
		if got := color.NRGBAModel.Convert(img.At(600, 315)); got != water {
			t.Errorf("the centre of Lake Débo is %v, want the water colour %v", got, water)
		}
	})
	b.checkClean(t)
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// TestStyleDrawsTownsUnderOurLayers holds the order that keeps the
// basemap's town names from hiding anything of ours: MapLibre draws the
// layers in order and places the symbols of the higher ones first, so
// every layer of our own source (places, incidents, their labels) comes
// after the towns, and the lakes cover the rivers that cross them.
func TestStyleDrawsTownsUnderOurLayers(t *testing.T) {
	raw, err := os.ReadFile("src/style.json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Layers []struct{ ID, Source string }
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	at := map[string]int{}
	for i, l := range st.Layers {
		at[l.ID] = i
	}
	if order := []int{at["land"], at["rivers"], at["lakes"], at["coastline"]}; !slices.IsSorted(order) {
		t.Errorf("water out of order: land %d, rivers %d, lakes %d, coastline %d", at["land"], at["rivers"], at["lakes"], at["coastline"])
	}
	for i, l := range st.Layers {
		if l.Source == "incidentmap" && i < at["town-labels"] {
			t.Errorf("%s is under the town labels", l.ID)
		}
	}
}
