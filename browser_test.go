package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The viewer in a real browser: Debian's headless Chromium driven through
// the DevTools protocol. Without /usr/bin/chromium the tests skip, except
// under CI=true, where they fail.

const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium with a fresh profile, and what it saw:
// every request it made and every error it logged.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	errors   []string
}

func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no browser at %s (scripts/deps.sh installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("no browser at %s (scripts/deps.sh installs Debian's chromium)", chromiumPath)
	}
	if _, err := os.Stat("static/dist/index.html"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the viewer is not built: run make web (%v)", err)
		}
		t.Skipf("the viewer is not built: run make web (%v)", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
		chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("use-gl", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true), chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("lang", "en-GB"),
	}
	return startBrowser(t, opts)
}

// startBrowser starts Chromium with opts, watched by a new browser, for at
// most three minutes; it stops when the test ends.
func startBrowser(t *testing.T, opts []chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	b := &browser{}
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(b.observe))
	t.Cleanup(cancelTab)
	b.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	return b
}

// observe records requests and errors: console.error, uncaught exceptions
// and the browser's own error log (failed loads, CSP violations).
func (b *browser) observe(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.errors = append(b.errors, "console: "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		b.errors = append(b.errors, "exception: "+msg)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			b.errors = append(b.errors, fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// checkClean fails the test for any request that left 127.0.0.1 and any
// error the page logged.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		t.Error("the browser made no request")
	}
	for _, raw := range b.requests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("unparsable request %q", raw)
			continue
		}
		if u.Scheme == "data" || u.Scheme == "blob" {
			continue
		}
		if u.Hostname() != "127.0.0.1" {
			t.Errorf("a request left 127.0.0.1: %s", raw)
		}
	}
	for _, e := range b.errors {
		t.Errorf("the page logged an error: %s", e)
	}
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression, awaiting it when it is a promise,
// and decodes its value into out (nil: ignore it).
func (b *browser) eval(t *testing.T, expr string, out any) {
	t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%.200s: %v", expr, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%.200s: %v: %s", expr, err, raw)
		}
	}
}

// open loads a viewer URL and waits until the map has drawn its tiles and
// the list has answered.
func (b *browser) open(t *testing.T, u string) {
	t.Helper()
	b.run(t, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#t-end")))
	b.settle(t)
}

func (b *browser) settle(t *testing.T) {
	t.Helper()
	b.waitFor(t, `window.__incidentmap !== undefined`)
	var settled bool
	b.eval(t, `Promise.race([window.__incidentmap.settled().then(() => true),
		new Promise((done) => setTimeout(() => done(false), 30000))])`, &settled)
	if !settled {
		t.Fatal("the map and its list did not settle in 30s")
	}
}

// waitFor waits up to 20 seconds for a JavaScript condition to hold.
func (b *browser) waitFor(t *testing.T, cond string) {
	t.Helper()
	var ok bool
	b.eval(t, `new Promise((done) => { const end = Date.now() + 20000;
		const w = () => (`+cond+`) ? done(true) : Date.now() > end ? done(false) : setTimeout(w, 50); w(); })`, &ok)
	if !ok {
		t.Fatalf("waited 20s in vain for %s", cond)
	}
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	var s string
	b.eval(t, fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ""`, sel), &s)
	return s
}

// renderedLocations are the locations of the incidents the map draws.
func (b *browser) renderedLocations(t *testing.T) []string {
	t.Helper()
	var out []string
	b.eval(t, `window.__incidentmap.rendered().map((f) => f.location || "cluster")`, &out)
	return out
}

// axe runs axe-core (from static/node_modules, injected by the test, never
// served) and returns the serious and critical violations.
func (b *browser) axe(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("static/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is not installed (make web runs npm ci): %v", err)
	}
	var ok bool
	b.eval(t, string(src)+";\ntrue", &ok)
	var out []string
	b.eval(t, `axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`, &out)
	return out
}

// screenshot keeps a PNG of the page in artifacts/ and returns it.
func (b *browser) screenshot(t *testing.T, name string) []byte {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("artifacts", name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: artifacts/%s (%d bytes)", name, len(buf))
	return buf
}

func containsAny(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// mouraView is the area around Moura: the village and its neighbours.
const mouraView = "bbox=-5.3,13.8,-3.9,14.9"

func TestViewerInBrowser(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t, 1280, 800)

	t.Run("27-31 March 2022 around Moura: Moura is listed and drawn", func(t *testing.T) {
		b.open(t, a.base+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
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
		b.open(t, a.base+"/?datetime=2022-05-01/2022-05-31&"+mouraView+"&lang=en")
		if list := b.text(t, "#list"); strings.Contains(list, "Moura") {
			t.Errorf("the list has Moura in May:\n%s", list)
		}
		if got := b.renderedLocations(t); containsAny(got, "Moura") {
			t.Errorf("the map draws Moura in May: %v", got)
		}
	})
	t.Run("the panel shows every claim with its source", func(t *testing.T) {
		b.open(t, a.base+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		b.run(t, chromedp.Click(chromedp.CSS(`#incident-list button[data-id="moura-2022-03"]`)),
			chromedp.WaitVisible(chromedp.CSS("#panel-title")))
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
		b.open(t, a.base+"/?datetime=2022-04-24/2022-04-24&bbox=-2.4,14.5,-1.1,15.6&highlight=hombori-camp-detainees-2022-04-24&lang=en")
		b.waitFor(t, `document.querySelector("#panel .precision") !== null`)
		panel := b.text(t, "#panel")
		for _, want := range []string{"near Hombori", "around 24 April 2022"} {
			if !strings.Contains(panel, want) {
				t.Errorf("the panel lacks %q:\n%s", want, panel)
			}
		}
		b.open(t, a.base+"/?datetime=2022-04-24/2022-04-24&bbox=-2.4,13.6,-1,14.6&highlight=bf-soum-detachments-2022-04-24&lang=fr")
		b.waitFor(t, `document.querySelector("#panel .precision") !== null`)
		if panel := b.text(t, "#panel"); !strings.Contains(panel, "quelque part dans la province du Soum") {
			t.Errorf("the panel lacks the admin2 wording:\n%s", panel)
		}
	})
	t.Run("in French, the slider driven by keyboard", func(t *testing.T) {
		b.open(t, a.base+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
		b.run(t, chromedp.Click(chromedp.CSS("#lang")))
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
		b.open(t, a.base+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")
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
	a := startApp(t)
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
			b.open(t, a.base+"/?datetime=2022-03-27/2022-03-31&"+sahel+"&theme="+tc.theme)
			// Once in a fresh-clone run under load, a settled map gave a
			// blank first screenshot: a few more chances, a second apart,
			// before calling the basemap missing.
			var fills, lines []float64
			for attempt := 1; ; attempt++ {
				shot, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS("#map")))
				if err != nil {
					t.Fatal(err)
				}
				os.MkdirAll("artifacts", 0o755)
				os.WriteFile(filepath.Join("artifacts", "basemap-"+tc.theme+".png"), shot, 0o644)
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
		b.open(t, a.base+"/?datetime=2022-03-27/2022-03-31&"+mouraView)
		if !strings.Contains(b.text(t, "#list"), "Moura") || !containsAny(b.renderedLocations(t), "Moura") {
			t.Error("Moura is missing in March")
		}
		b.open(t, a.base+"/?datetime=2022-05-01/2022-05-31&"+mouraView)
		if strings.Contains(b.text(t, "#list"), "Moura") || containsAny(b.renderedLocations(t), "Moura") {
			t.Error("Moura is shown in May")
		}
	})
	t.Run("Gossi is held by France on 18 April 2022 and by Mali from 19 April", func(t *testing.T) {
		gossi := "bbox=-2.5,15.2,-0.2,16.4"
		b.open(t, a.base+"/?datetime=2022-04-01/2022-04-18&"+gossi)
		if bases := b.text(t, "#base-list"); !strings.Contains(bases, "Gossi · France") {
			t.Errorf("18 April: %q", bases)
		}
		b.open(t, a.base+"/?datetime=2022-04-01/2022-04-19&"+gossi)
		if bases := b.text(t, "#base-list"); !strings.Contains(bases, "Gossi · Mali") {
			t.Errorf("19 April: %q", bases)
		}
	})
	t.Run("a phone-sized dark page passes axe-core", func(t *testing.T) {
		b.run(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		b.open(t, a.base+"/?datetime=2022-03-01/2022-04-30&"+mouraView+"&theme=dark&lang=fr")
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
