package server_test

import (
	"bytes"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

// The still map the embed shows first (its largest paint) is drawn once
// and then served from the cache of drawings; its ETag lets a reload
// revalidate it (304, no body) instead of fetching it again. The times go
// to the log (figures come from load scripts, not timed tests).
func TestEmbedStillMap(t *testing.T) {
	a := testapp.Start(t)
	_, page := a.Get(t, "/embed?datetime=2022-03-27/2022-03-31&bbox=-5.2,13.8,-3.8,14.8&lang=en&interactive=0")
	m := regexp.MustCompile(`<img id="still" class="still" src="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no still map in the page: %s", page)
	}
	still, err := url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, body := a.Get(t, still.RequestURI())
	drawn := time.Since(start)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("%s: %d %s", still.RequestURI(), res.StatusCode, res.Header.Get("Content-Type"))
	}
	if img, err := png.DecodeConfig(bytes.NewReader(body)); err != nil || img.Width != 800 || img.Height != 500 {
		t.Errorf("the still map is %dx%d (%v)", img.Width, img.Height, err)
	}
	etag, cache := res.Header.Get("ETag"), res.Header.Get("Cache-Control")
	if etag == "" || !strings.Contains(cache, "public") {
		t.Errorf("caching headers: ETag %q, Cache-Control %q", etag, cache)
	}
	start = time.Now()
	again, _ := a.Get(t, still.RequestURI())
	cached := time.Since(start)
	start = time.Now()
	reload, rest := a.Get(t, still.RequestURI(), "If-None-Match", etag)
	revalidated := time.Since(start)
	if again.Header.Get("ETag") != etag || reload.StatusCode != http.StatusNotModified || len(rest) != 0 {
		t.Errorf("a reload: ETag %q then %q, %d with %d bytes", etag, again.Header.Get("ETag"), reload.StatusCode, len(rest))
	}
	t.Logf("still map of Moura: %d bytes; drawn in %v, then %v from the cache, %v to revalidate (304); Cache-Control %q",
		len(body), drawn.Round(time.Millisecond), cached.Round(time.Microsecond), revalidated.Round(time.Microsecond), cache)
}

// No hostile value on a parameter of the embed gets a 5xx, an error page
// that is not JSON, or into the page unescaped.
func TestEmbedHostileParameters(t *testing.T) {
	a := testapp.Start(t)
	params := []string{"datetime", "bbox", "event_type", "sub_event_type", "country", "admin1", "actor", "min_fatalities",
		"q", "as_of", "filter", "filter-lang", "filter-crs", "lang", "theme", "highlight", "title", "interactive", "slider",
		"undefined_param"}
	for _, route := range []string{"/embed", "/embed.js"} {
		for _, p := range params {
			for _, v := range hostileValues {
				res, body := a.Get(t, route+"?"+url.Values{p: {v}}.Encode())
				switch {
				case res.StatusCode >= 500:
					t.Errorf("%s=%.40q on %s: %d %s", p, v, route, res.StatusCode, body)
				case res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json"):
					t.Errorf("%s=%.40q on %s: %d answered as %s", p, v, route, res.StatusCode, res.Header.Get("Content-Type"))
				case res.StatusCode == 200 && len(v) > 3 && strings.ContainsAny(v, `<>"`) && bytes.Contains(body, []byte(v)):
					t.Errorf("%s=%.40q on %s: the page holds it unescaped", p, v, route)
				}
			}
		}
	}
}
