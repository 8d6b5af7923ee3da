package static_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"incidentmap/internal/testenv/testapp"
)

// The viewer and the embed opened with a CQL2 filter keep it in every URL
// they build, as they keep datetime: the style, the tiles, the list's
// items, the permalink, the embed's images and links.

// battles is the CQL2 filter of the tests, and battlesQuery its query.
const battles = "event_type='battles'"

var battlesQuery = "filter=" + url.QueryEscape(battles)

// sahelSpring is March-April 2022 in central Mali and northern Burkina
// Faso: five battles among nine incidents (Moura, Hombori and Gossi are not
// battles).
const sahelSpring = "datetime=2022-03-01/2022-04-30&bbox=-7,13,1,16.5"

func TestViewerKeepsTheCQL2Filter(t *testing.T) {
	a := testapp.Start(t)
	b := newBrowser(t, 1280, 800)
	b.open(t, a.URL+"/?"+sahelSpring+"&lang=en&"+battlesQuery)

	t.Run("the style, the tiles and the list's items are asked with the filter", func(t *testing.T) {
		checkFilterCarried(t, b, "/style.json", "/collections/incidents/items")
		checkTilesCarry(t, b)
	})
	t.Run("the permalink keeps the filter when the window moves", func(t *testing.T) {
		b.run(t, chromedp.Focus(chromedp.CSS("#t-end")), chromedp.KeyEvent(kb.ArrowLeft))
		b.settle(t)
		var search, other string
		b.eval(t, `location.search`, &search)
		if q := queryOf(t, search); q.Get("filter") != battles || q.Get("datetime") != "2022-03-01/2022-04-29" {
			t.Errorf("the permalink %s does not keep the filter and the new window", search)
		}
		b.eval(t, `document.getElementById("lang").href`, &other)
		if queryOf(t, other).Get("filter") != battles {
			t.Errorf("the link to the other language %s does not keep the filter", other)
		}
	})
	checkOnlyBattles(t, b, "#list")
}

func TestEmbedKeepsTheCQL2Filter(t *testing.T) {
	needBrowser(t)
	a := testapp.Start(t)
	b := newBrowser(t, 1000, 900)
	b.run(t, chromedp.Navigate(a.URL+"/embed?"+sahelSpring+"&lang=en&"+battlesQuery))
	b.settle(t)
	b.click(t, "#explore") // the map replaces the still map when the reader asks for it
	b.waitFor(t, `window.__incidentmap.map !== undefined`)
	b.settle(t)

	t.Run("the style, the tiles and the list's items are asked with the filter", func(t *testing.T) {
		checkFilterCarried(t, b, "/style.json", "/collections/incidents/items")
		checkTilesCarry(t, b)
	})
	t.Run("its images, its link to the full map and its oEmbed link keep the filter", func(t *testing.T) {
		var links []string
		b.eval(t, `[document.querySelector('meta[property="og:image"]').content, document.querySelector(".credit a").href,
			document.querySelector('link[rel="canonical"]').href, document.getElementById("still").src]`, &links)
		for _, u := range links {
			if queryOf(t, u).Get("filter") != battles {
				t.Errorf("%s does not keep the filter", u)
			}
		}
		var oembed string
		b.eval(t, `document.querySelector('link[type="application/json+oembed"]').href`, &oembed)
		if inner := queryOf(t, oembed).Get("url"); queryOf(t, inner).Get("filter") != battles {
			t.Errorf("the oEmbed link %s does not keep the filter", oembed)
		}
	})
	t.Run("the caption says the map is filtered", func(t *testing.T) {
		if got := b.text(t, "#detail"); !strings.Contains(got, "filter: "+battles) {
			t.Errorf("caption detail %q", got)
		}
	})
	checkOnlyBattles(t, b, "#incident-list")
}

// checkFilterCarried checks that the browser asked for each path, and that
// every request for one carried the filter.
func checkFilterCarried(t *testing.T, b *browser, paths ...string) {
	t.Helper()
	b.mu.Lock()
	requests := slices.Clone(b.requests)
	b.mu.Unlock()
	for _, path := range paths {
		n := 0
		for _, raw := range requests {
			u, err := url.Parse(raw)
			if err != nil || !strings.HasPrefix(u.Path, path) || strings.HasPrefix(u.Path, "/tiles/basemap/") {
				continue
			}
			n++
			if u.Query().Get("filter") != battles {
				t.Errorf("%s without the filter", raw)
			}
		}
		if n == 0 {
			t.Errorf("no request for %s", path)
		}
	}
}

// checkTilesCarry checks the incident tiles' URL that MapLibre requests
// (from its worker, whose requests the page's listener does not see).
func checkTilesCarry(t *testing.T, b *browser) {
	t.Helper()
	var tiles []string
	b.eval(t, `window.__incidentmap.map.getSource("incidentmap").tiles`, &tiles)
	if len(tiles) != 1 || queryOf(t, strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(tiles[0])).Get("filter") != battles {
		t.Errorf("the incident tiles %v do not carry the filter", tiles)
	}
}

// checkOnlyBattles checks that the list under sel shows the five battles
// of sahelSpring and nothing else, that the map draws no other type, and
// that the page asked nothing elsewhere and logged no error.
func checkOnlyBattles(t *testing.T, b *browser, sel string) {
	t.Helper()
	defer b.checkClean(t)
	var types []string
	b.eval(t, `[...document.querySelectorAll(`+"`"+sel+` .sw`+"`"+`)].map((s) => s.className.replace(/^sw sw-/, ""))`, &types)
	if len(types) != 5 || slices.ContainsFunc(types, func(s string) bool { return s != "battles" }) {
		t.Errorf("the list shows %v, want the five battles", types)
	}
	if got := b.renderedLocations(t); containsAny(got, "Moura") || containsAny(got, "Hombori") {
		t.Errorf("the map draws incidents that are not battles: %v", got)
	}
}

func queryOf(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return u.Query()
}
