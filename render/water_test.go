package render

import (
	"image/color"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/internal/naturalearth"
)

// waterRenderer draws over the test basemap and the embedded water and
// towns, as the server does.
func waterRenderer(t testing.TB) *Renderer {
	t.Helper()
	r := testRenderer(t)
	var water *Basemap
	fc, err := naturalearth.Features()
	if err == nil {
		water, err = NewBasemap(fc)
	}
	if err != nil {
		t.Fatal(err)
	}
	r.base.lakes, r.base.rivers, r.base.towns = water.lakes, water.rivers, water.towns
	return r
}

// deltaRequest is the inner Niger delta, from Ségou to Lake Débo.
func deltaRequest(theme string) Request {
	req := mouraRequest()
	req.BBox = &geo.BBox{MinLon: -6.5, MinLat: 13.0, MaxLon: -3.0, MaxLat: 15.6}
	req.Theme = theme
	return req
}

func TestMapDrawsWater(t *testing.T) {
	r := waterRenderer(t)
	for i, theme := range []string{"light", "dark"} {
		t.Run(theme, func(t *testing.T) {
			req := deltaRequest(theme)
			m, err := r.NewMap(req)
			if err != nil {
				t.Fatal(err)
			}
			png := mouraMap(t, r, req, mouraIncidents...)
			save(t, "delta-"+theme+".png", png)
			img := decode(t, png)
			x, y := m.v.pixel(orb.Point{-4.15, 15.34}) // inside Lake Débo
			water := hex(themeColours.water[i])
			if got := color.NRGBAModel.Convert(img.At(int(x), int(y))); got != water {
				t.Errorf("Lake Débo at (%.0f, %.0f) is %v, want the water colour %v", x, y, got, water)
			}
			// The land is grey or beige, the rivers blue: count the pixels
			// that lean to blue, other than the lakes' fill (colours samples
			// one pixel in 9: 300 are some 2,700 pixels of river).
			n := 0
			for c, count := range colours(img) {
				if int(c.B)-int(c.R) > 8 && (c.R != water.R || c.G != water.G || c.B != water.B) {
					n += count
				}
			}
			if n < 300 {
				t.Errorf("%d pixels lean to the river colour: the Niger and the Bani are not drawn", n)
			}
		})
	}
}

// TestTownLabelsHideNothing places the towns' names of the inner delta:
// the towns the gazetteer lacks are named, those it has are left to it,
// and no name lies over an incident, a place or a gazetteer label.
func TestTownLabelsHideNothing(t *testing.T) {
	r := waterRenderer(t)
	m, err := r.NewMap(deltaRequest("light"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range mouraIncidents {
		m.AddIncident(s)
	}
	for _, p := range seedPlaces {
		m.AddPlace(p)
	}
	singles, clusters := m.marks.layout()
	for i := range singles {
		singles[i].radius = dotRadius(singles[i].best, m.scale)
	}
	soft, hard := m.obstacles(singles, clusters)
	places := m.placeLabels(soft, hard)
	towns := m.townLabels(places, slices.Concat(soft, hard), rect{})
	var names []string
	for _, l := range towns {
		names = append(names, l.text)
		for _, b := range slices.Concat(soft, hard) {
			if l.box.overlaps(b) {
				t.Errorf("town %q at %v lies over a mark or place at %v", l.text, l.box, b)
			}
		}
		for _, p := range places {
			if l.box.overlaps(p.box) {
				t.Errorf("town %q lies over the label %q", l.text, p.text)
			}
		}
	}
	for _, want := range []string{"San", "Markala"} {
		if !slices.Contains(names, want) {
			t.Errorf("no town label %q in %v", want, names)
		}
	}
	for _, gazetteer := range []string{"Mopti", "Djenné", "Niono"} {
		if slices.Contains(names, gazetteer) {
			t.Errorf("%q is named twice: by the gazetteer and by the basemap", gazetteer)
		}
	}
}

// BenchmarkMapPNGWithWater is BenchmarkMapPNG over the basemap with its
// rivers, lakes and towns, as the server draws it: the Moura map, and the
// inner delta with Lake Débo.
func BenchmarkMapPNGWithWater(b *testing.B) {
	r := waterRenderer(b)
	for _, view := range []struct {
		name string
		req  Request
	}{{"moura", mouraRequest()}, {"delta", deltaRequest("light")}} {
		b.Run(view.name, func(b *testing.B) {
			mouraMap(b, r, view.req, mouraIncidents...) // simplify the basemap for this zoom once
			for b.Loop() {
				mouraMap(b, r, view.req, mouraIncidents...)
			}
		})
	}
}
