package server_test

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// victimColour is the colour of violence against civilians on the light
// map (the Moura massacre of mouraMapQuery).
var victimColour = [3]uint8{0xc0, 0x26, 0x4f}

// A CQL2 filter on /map.png draws only the incidents it keeps.
func TestMapPNGDrawsOnlyWhatTheFilterKeeps(t *testing.T) {
	a := testapp.Start(t)
	filtered := func(filter string, extra ...string) string {
		q := url.Values{"filter": {filter}}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		return mouraMapQuery + "&lang=en&" + q.Encode()
	}
	img, all, _ := mapPNG(t, a, mouraMapQuery+"&lang=en", "unfiltered.png")
	victims := sampleColours(img)[victimColour]
	if victims == 0 {
		t.Fatal("the unfiltered Moura map has no dot of violence against civilians")
	}

	t.Run("a filter that leaves the massacre out draws none of its dots", func(t *testing.T) {
		img, without, _ := mapPNG(t, a, filtered(`event_type <> 'violence_against_civilians'`), "filtered-out.png")
		if n := sampleColours(img)[victimColour]; n != 0 {
			t.Errorf("%d samples in the colour of violence against civilians, want none", n)
		}
		if bytes.Equal(without, all) {
			t.Error("the filtered map has the bytes of the unfiltered one")
		}
	})
	t.Run("a filter that keeps it draws it, in cql2-text and in cql2-json alike", func(t *testing.T) {
		imgText, text, _ := mapPNG(t, a, filtered(`event_type = 'violence_against_civilians'`), "kept.png")
		if n := sampleColours(imgText)[victimColour]; n == 0 {
			t.Error("no dot of violence against civilians")
		}
		_, asJSON, _ := mapPNG(t, a, filtered(`{"op":"=","args":[{"property":"event_type"},"violence_against_civilians"]}`,
			"filter-lang", "cql2-json"), "kept-json.png")
		if !bytes.Equal(text, asJSON) {
			t.Error("the same filter in cql2-text and cql2-json draws different maps")
		}
	})
	t.Run("a filter on what only PostGIS holds draws from PostGIS", func(t *testing.T) {
		img, _, _ := mapPNG(t, a, filtered(`admin1 <> 'Mopti' AND title LIKE '%'`), "postgis.png")
		if n := sampleColours(img)[victimColour]; n != 0 {
			t.Errorf("%d samples of the Moura massacre (Mopti) beside admin1 <> 'Mopti', want none", n)
		}
	})
	for _, tc := range []struct{ query, param, says string }{
		{"filter=" + url.QueryEscape("event_type = "), "filter", ""},
		{"filter=" + url.QueryEscape("colour = 'red'"), "filter", "colour"},
		{"filter=" + url.QueryEscape("event_type = 'battles'") + "&filter-lang=cql2-xml", "filter-lang", ""},
		{"filter=" + url.QueryEscape("event_type = 'battles'") + "&filter-crs=EPSG:4326", "filter-crs", ""},
	} {
		t.Run("400 naming "+tc.param+" for "+tc.query[:min(len(tc.query), 50)], func(t *testing.T) {
			res, body := a.Get(t, "/map.png?"+tc.query)
			var e struct{ Parameter, Description string }
			if res.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Parameter != tc.param ||
				!strings.Contains(e.Description, tc.says) {
				t.Errorf("%d %s", res.StatusCode, body)
			}
		})
	}
}

// The viewer, its style and the embed take a CQL2 filter like the other
// filters: a malformed one is a 400 naming it, a good one carried on.
func TestPagesTakeTheCQL2Filter(t *testing.T) {
	a := testapp.Start(t)
	battles := "filter=" + url.QueryEscape("event_type='battles'")
	for _, route := range []string{"/?f=html&", "/embed?", "/style.json?"} {
		for _, tc := range []struct{ query, param string }{
			{"filter=" + url.QueryEscape("event_type = "), "filter"},
			{"filter=" + url.QueryEscape("colour = 'red'"), "filter"},
			{battles + "&filter-lang=cql2-xml", "filter-lang"},
			{battles + "&filter-crs=EPSG:4326", "filter-crs"},
		} {
			res, body := a.Get(t, route+tc.query)
			var e struct{ Parameter string }
			if res.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Parameter != tc.param {
				t.Errorf("%s%s: %d %s, want a 400 naming %s", route, tc.query, res.StatusCode, body, tc.param)
			}
		}
		if res, body := a.Get(t, route+battles); res.StatusCode != http.StatusOK {
			t.Errorf("%s%s: %d %s", route, battles, res.StatusCode, body)
		}
	}

	t.Run("the style carries the filter into the tiles URL", func(t *testing.T) {
		var style struct {
			Sources map[string]struct{ Tiles []string }
		}
		a.GetJSON(t, "/style.json?"+battles+"&filter-lang=cql2-text", http.StatusOK, &style)
		tiles := style.Sources["incidentmap"].Tiles
		if len(tiles) != 1 || !strings.Contains(tiles[0], battles) || !strings.Contains(tiles[0], "filter-lang=cql2-text") {
			t.Errorf("incident tiles %v do not carry %s", tiles, battles)
		}
	})
	t.Run("the embed's images and full-map link keep the filter", func(t *testing.T) {
		_, body := a.Get(t, "/embed?"+battles)
		for _, attr := range []*regexp.Regexp{
			regexp.MustCompile(`property="og:image" content="([^"]*)"`),
			regexp.MustCompile(`<img id="still" class="still" src="([^"]*)"`),
			regexp.MustCompile(`<a href="([^"]*)" target="_blank"`),
		} {
			m := attr.FindSubmatch(body)
			if m == nil {
				t.Fatalf("no %s in the embed", attr)
			}
			u, err := url.Parse(html.UnescapeString(string(m[1])))
			if err != nil || u.Query().Get("filter") != "event_type='battles'" {
				t.Errorf("%s does not keep the filter", m[1])
			}
		}
	})
	t.Run("oEmbed takes a viewer URL with a filter and keeps it in the iframe", func(t *testing.T) {
		var o oembed
		a.GetJSON(t, "/oembed?url="+url.QueryEscape(a.URL+"/?"+battles), http.StatusOK, &o)
		if !strings.Contains(o.HTML, "filter=event_type") || !strings.Contains(o.ThumbnailURL, "filter=event_type") {
			t.Errorf("iframe %s, thumbnail %s", o.HTML, o.ThumbnailURL)
		}
	})
}
