package static_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"incidentmap/internal/testenv/testapp"
)

// xss is stored in every text field of an incident; if any page ever runs
// it, window.__pwned is set.
const xss = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>"><svg onload=window.__pwned=1>`

// Stored hostile text runs no script in the viewer (list and panel), the
// embed, the HTML pages, and is drawn as text in the PNG.
func TestStoredScriptsNeverRun(t *testing.T) {
	a := testapp.Start(t)
	editor := a.NewToken(t, "xss", "editor")
	props := map[string]any{
		"title": "T " + xss, "summary": "S " + xss, "location": "L " + xss, "admin1": "A1 " + xss, "admin2": "A2 " + xss,
		"event_type": "violence_against_civilians", "sub_event_type": "attack", "country": "ML",
		"starts_at": "2022-03-28T00:00:00Z", "ends_at": "2022-03-28T23:59:59Z", "geo_precision": "exact",
		"fatalities_best": 1, "actors": []string{"Actor " + xss},
		"claims": []map[string]any{{"claimant": "C " + xss, "statement": "St " + xss, "source": `https://example.org/"><script>window.__pwned=1</script>`}},
		"sources": []map[string]any{{"url": `https://example.org/"><script>window.__pwned=1</script>`, "publisher": "P " + xss,
			"title": "Ti " + xss, "language": "en", "note": "N " + xss}},
	}
	feature, _ := json.Marshal(map[string]any{"type": "Feature", "id": "xss-1",
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{-4.59, 14.32}}, "properties": props})
	if res, body := a.Do(t, "POST", "/collections/incidents/items", editor, strings.NewReader(string(feature))); res.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", res.StatusCode, body)
	}
	t.Run("a javascript: source URL is refused", func(t *testing.T) {
		bad := strings.Replace(string(feature), `"id":"xss-1"`, `"id":"xss-2"`, 1)
		bad = strings.ReplaceAll(bad, `https://example.org/\"\u003e\u003cscript\u003ewindow.__pwned=1\u003c/script\u003e`, `javascript:window.__pwned=1`)
		if res, body := a.Do(t, "POST", "/collections/incidents/items", editor, strings.NewReader(bad)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("javascript: URL: %d %s", res.StatusCode, body)
		}
	})
	window := "datetime=2022-03-27/2022-03-31&bbox=-5.3,13.8,-3.9,14.9"
	pages := map[string]string{
		"viewer with the panel open": "/?" + window + "&highlight=xss-1",
		"embed":                      "/embed?" + window + "&highlight=xss-1",
		"items as HTML":              "/collections/incidents/items?f=html&" + window,
		"the incident as HTML":       "/collections/incidents/items/xss-1?f=html",
		"its revisions":              "/collections/incidents/items/xss-1/revisions",
	}
	b := newBrowser(t, 1280, 900)
	for name, path := range pages {
		t.Run(name, func(t *testing.T) {
			b.run(t, chromedp.Navigate(a.URL+path))
			b.waitFor(t, `document.readyState === "complete"`)
			if strings.HasPrefix(path, "/?") || strings.HasPrefix(path, "/embed") {
				b.settle(t)
				b.waitFor(t, `document.body.textContent.includes("T <img")`) // the title, shown as text
			}
			time.Sleep(500 * time.Millisecond)
			var pwned bool
			b.eval(t, `window.__pwned === 1`, &pwned)
			if pwned {
				t.Errorf("%s ran a stored script", path)
			}
		})
	}
	t.Run("the PNG draws it as text", func(t *testing.T) {
		res, body := a.Get(t, "/map.png?"+window+"&title="+url.QueryEscape(xss))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || len(body) < 1000 {
			t.Errorf("map.png: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
}
