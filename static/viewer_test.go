package static_test

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"incidentmap/internal/testenv/testapp"
)

// mouraView is the area around Moura: the village and its neighbours.
const mouraView = "bbox=-5.3,13.8,-3.9,14.9"

func TestViewerInBrowser(t *testing.T) {
	a := testapp.Start(t)
	b := newBrowser(t, 1280, 800)

	t.Run("27-31 March 2022 around Moura: Moura is listed and drawn", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		if list := b.text(t, "#list"); !strings.Contains(list, "Moura") {
			t.Errorf("the list lacks Moura:\n%s", list)
		}
		if got := b.renderedLocations(t); !containsAny(got, "Moura") {
			t.Errorf("the map does not draw Moura: %v", got)
		}
		if label := b.text(t, "#window-label"); label != "27-31 March 2022" {
			t.Errorf("window label %q", label)
		}
	})
	t.Run("May 2022: Moura is neither listed nor drawn", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-05-01/2022-05-31&"+mouraView+"&lang=en")
		if list := b.text(t, "#list"); strings.Contains(list, "Moura") {
			t.Errorf("the list has Moura in May:\n%s", list)
		}
		if got := b.renderedLocations(t); containsAny(got, "Moura") {
			t.Errorf("the map draws Moura in May: %v", got)
		}
	})
	t.Run("the panel shows every claim with its source", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		b.click(t, `#incident-list button[data-id="moura-2022-03"]`)
		b.run(t, chromedp.WaitVisible(chromedp.CSS("#panel-title")))
		b.waitFor(t, `document.querySelectorAll(".claim").length > 0`)
		panel := b.text(t, "#panel")
		if dates := b.text(t, "#panel .facts dd"); dates != "27-31 March 2022" {
			t.Errorf("the panel's dates read %q", dates)
		}
		for _, want := range []string{"Killings in Moura", "27-31 March 2022", "OHCHR", "Human Rights Watch",
			"Malian government", "at least 500", "theafricareport.com", "Only the site (report.az) was recorded"} {
			if !strings.Contains(panel, want) {
				t.Errorf("the panel lacks %q:\n%s", want, panel)
			}
		}
		var loc string
		b.eval(t, `location.search`, &loc)
		if !strings.Contains(loc, "highlight=moura-2022-03") {
			t.Errorf("the URL does not keep the open incident: %s", loc)
		}
		b.run(t, chromedp.KeyEvent(kb.Escape))
		var hidden bool
		b.eval(t, `document.getElementById("panel").hidden`, &hidden)
		if !hidden {
			t.Error("Escape did not close the panel")
		}
	})
	t.Run("a permalink with highlight opens the panel; places read at their precision", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-04-24/2022-04-24&bbox=-2.4,14.5,-1.1,15.6&highlight=hombori-camp-detainees-2022-04-24&lang=en")
		b.waitFor(t, `document.querySelector("#panel .precision") !== null`)
		panel := b.text(t, "#panel")
		for _, want := range []string{"near Hombori", "around 24 April 2022"} {
			if !strings.Contains(panel, want) {
				t.Errorf("the panel lacks %q:\n%s", want, panel)
			}
		}
		b.open(t, a.URL+"/?datetime=2022-04-24/2022-04-24&bbox=-2.4,13.6,-1,14.6&highlight=bf-soum-detachments-2022-04-24&lang=fr")
		b.waitFor(t, `document.querySelector("#panel .precision") !== null`)
		if panel := b.text(t, "#panel"); !strings.Contains(panel, "quelque part dans la province du Soum") {
			t.Errorf("the panel lacks the admin2 wording:\n%s", panel)
		}
	})
	t.Run("in French, the slider driven by keyboard", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		b.click(t, "#lang")
		b.settle(t)
		var lang string
		b.eval(t, `document.documentElement.lang`, &lang)
		if label := b.text(t, "#window-label"); lang != "fr" || label != "27-31 mars 2022" {
			t.Errorf("after switching to French: lang %q, window %q", lang, label)
		}
		if heading := b.text(t, "#list h2"); heading != "Incidents visibles" {
			t.Errorf("list heading %q", heading)
		}
		var before int
		b.eval(t, `window.__incidentmap.debug.tileRequests`, &before)
		b.run(t, chromedp.Focus(chromedp.CSS("#t-end")), chromedp.KeyEvent(kb.ArrowLeft))
		b.settle(t)
		var after int
		var search string
		b.eval(t, `window.__incidentmap.debug.tileRequests`, &after)
		b.eval(t, `location.search`, &search)
		if label := b.text(t, "#window-label"); label != "27-30 mars 2022" || !strings.Contains(search, "datetime=2022-03-27/2022-03-30") {
			t.Errorf("ArrowLeft on the end: window %q, URL %s", label, search)
		}
		if after != before {
			t.Errorf("narrowing the window inside the loaded tiles fetched new tiles (%d -> %d)", before, after)
		}
		if !strings.Contains(b.text(t, "#list"), "Moura") {
			t.Error("Moura left the list while still in the window")
		}
		// The end handle cannot pass the start: it pushes it, and the window
		// leaves Moura's days.
		b.run(t, chromedp.KeyEvent(kb.Home))
		b.settle(t)
		if list := b.text(t, "#list"); strings.Contains(list, "Moura") {
			t.Errorf("Moura is listed for a window before its days:\n%s", list)
		}
		if got := b.renderedLocations(t); containsAny(got, "Moura") {
			t.Errorf("Moura is drawn for a window before its days: %v", got)
		}
		b.run(t, chromedp.KeyEvent(kb.End))
		b.settle(t)
		if !strings.Contains(b.text(t, "#list"), "Moura") {
			t.Error("Moura is not back once the window covers the whole span")
		}
	})
	t.Run("axe-core finds no serious or critical problem", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		for _, v := range b.axe(t) {
			t.Error(v)
		}
		b.screenshot(t, "viewer.png")
	})
	b.checkClean(t)
}

// TestViewerBasemapInBrowser repeats the checks on a fresh program and
// browser, and looks at the pixels: the built-in basemap must draw land,
// water and borders, in both themes.
func TestViewerBasemapInBrowser(t *testing.T) {
	a := testapp.Start(t)
	b := newBrowser(t, 1100, 760)
	sahel := "bbox=-19,8,6,22"
	for _, tc := range []struct {
		theme                      string
		land, water, coast, border [3]uint8
	}{
		{"light", [3]uint8{0xf4, 0xf1, 0xea}, [3]uint8{0xd7, 0xe3, 0xea}, [3]uint8{0x8f, 0xa5, 0xb3}, [3]uint8{0xa0, 0x8f, 0x9e}},
		{"dark", [3]uint8{0x22, 0x2a, 0x31}, [3]uint8{0x0e, 0x1a, 0x22}, [3]uint8{0x4f, 0x66, 0x75}, [3]uint8{0x7d, 0x6f, 0x7b}},
	} {
		t.Run("the basemap draws in the "+tc.theme+" theme", func(t *testing.T) {
			b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+sahel+"&theme="+tc.theme)
			// Once in a fresh-clone run under load, a settled map gave a
			// blank first screenshot: a few more chances, a second apart,
			// before calling the basemap missing.
			var fills, lines []float64
			for attempt := 1; ; attempt++ {
				shot, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS("#map")))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(artifact(t, "basemap-"+tc.theme+".png"), shot, 0o644); err != nil {
					t.Log(err) // the screenshot is kept for a person to look at, not checked
				}
				// Lines are thin and antialiased: they are looked for with a wider tolerance.
				fills = colourShares(t, shot, 6, tc.land, tc.water)
				lines = colourShares(t, shot, 28, tc.coast, tc.border)
				t.Logf("%s, screenshot %d: land %.1f%%, water %.1f%%, coastline %.2f%%, borders %.2f%% of the map",
					tc.theme, attempt, 100*fills[0], 100*fills[1], 100*lines[0], 100*lines[1])
				if drawn := fills[0] >= 0.2 && fills[1] >= 0.05 && lines[0] >= 0.001 && lines[1] >= 0.001; drawn || attempt == 4 {
					break
				}
				time.Sleep(time.Second)
				b.settle(t)
			}
			if fills[0] < 0.2 || fills[1] < 0.05 || lines[0] < 0.001 || lines[1] < 0.001 {
				t.Errorf("the basemap did not draw: land %.3f, water %.3f, coastline %.4f, borders %.4f",
					fills[0], fills[1], lines[0], lines[1])
			}
		})
	}
	t.Run("Moura is listed in March and drawn over the basemap", func(t *testing.T) {
		b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView)
		if !strings.Contains(b.text(t, "#list"), "Moura") || !containsAny(b.renderedLocations(t), "Moura") {
			t.Error("Moura is missing in March")
		}
		b.open(t, a.URL+"/?datetime=2022-05-01/2022-05-31&"+mouraView)
		if strings.Contains(b.text(t, "#list"), "Moura") || containsAny(b.renderedLocations(t), "Moura") {
			t.Error("Moura is shown in May")
		}
	})
	t.Run("Gossi is held by France on 18 April 2022 and by Mali from 19 April", func(t *testing.T) {
		gossi := "bbox=-2.5,15.2,-0.2,16.4"
		b.open(t, a.URL+"/?datetime=2022-04-01/2022-04-18&"+gossi)
		if bases := b.text(t, "#base-list"); !strings.Contains(bases, "Gossi · France") {
			t.Errorf("18 April: %q", bases)
		}
		b.open(t, a.URL+"/?datetime=2022-04-01/2022-04-19&"+gossi)
		if bases := b.text(t, "#base-list"); !strings.Contains(bases, "Gossi · Mali") {
			t.Errorf("19 April: %q", bases)
		}
	})
	t.Run("a phone-sized dark page passes axe-core", func(t *testing.T) {
		b.run(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		b.open(t, a.URL+"/?datetime=2022-03-01/2022-04-30&"+mouraView+"&theme=dark&lang=fr")
		for _, v := range b.axe(t) {
			t.Error(v)
		}
		b.screenshot(t, "viewer-phone-dark.png")
	})
	b.checkClean(t)
}

// colourShares returns the share of the image's pixels within tolerance
// of each colour.
func colourShares(t *testing.T, shot []byte, tolerance int, colours ...[3]uint8) []float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, len(colours))
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for i, c := range colours {
				if near(r>>8, c[0], tolerance) && near(g>>8, c[1], tolerance) && near(bl>>8, c[2], tolerance) {
					counts[i]++
				}
			}
		}
	}
	total := float64(bounds.Dx() * bounds.Dy())
	shares := make([]float64, len(counts))
	for i, n := range counts {
		shares[i] = float64(n) / total
	}
	return shares
}

func near(v uint32, c uint8, tolerance int) bool {
	d := int(v) - int(c)
	return d >= -tolerance && d <= tolerance
}
