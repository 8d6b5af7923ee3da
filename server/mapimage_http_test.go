package server_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// mouraMapQuery is the view of the Moura map: 27-31 March 2022 around Moura.
const mouraMapQuery = "datetime=2022-03-27/2022-03-31&bbox=-6.2,13.4,-3.0,15.3"

// mapPNG fetches a /map.png, expects a PNG and decodes it. With
// MAPIMAGE_OUT set, it also writes it there to look at.
func mapPNG(t *testing.T, a *testapp.App, query, name string) (image.Image, []byte, *http.Response) {
	t.Helper()
	res, body := a.Get(t, "/map.png?"+query)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /map.png?%s: %d %s", query, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "image/png" {
		t.Fatalf("Content-Type %q", ct)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET /map.png?%s: not a PNG: %v", query, err)
	}
	if dir := os.Getenv("MAPIMAGE_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Error(err)
		}
	}
	return img, body, res
}

// sampleColours counts the colours of every third pixel.
func sampleColours(img image.Image) map[[3]uint8]int {
	out := map[[3]uint8]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			out[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}]++
		}
	}
	return out
}

func TestMapPNG(t *testing.T) {
	a := testapp.Start(t)
	img, march, res := mapPNG(t, a, mouraMapQuery+"&lang=en", "moura.png")

	t.Run("the Moura map is a real 1200x630 map", func(t *testing.T) {
		if got := img.Bounds().Size(); got != image.Pt(1200, 630) {
			t.Fatalf("size %v", got)
		}
		cs := sampleColours(img)
		if len(cs) < 20 {
			t.Errorf("%d colours: blank?", len(cs))
		}
		if land := cs[[3]uint8{0xf4, 0xf1, 0xea}]; land < 5000 {
			t.Errorf("land colour on %d samples only", land)
		}
		if victims := cs[[3]uint8{0xc0, 0x26, 0x4f}]; victims == 0 {
			t.Error("no dot in the colour of violence against civilians (Moura)")
		}
	})
	t.Run("another window gives another image", func(t *testing.T) {
		_, may, _ := mapPNG(t, a, "datetime=2022-05-01/2022-05-31&bbox=-6.2,13.4,-3.0,15.3&lang=en", "may.png")
		if bytes.Equal(may, march) {
			t.Error("May and March give the same bytes")
		}
	})
	t.Run("the same request gives the same bytes, and its ETag a 304", func(t *testing.T) {
		_, again, res2 := mapPNG(t, a, mouraMapQuery+"&lang=en", "again.png")
		if !bytes.Equal(again, march) || res2.Header.Get("ETag") != res.Header.Get("ETag") {
			t.Error("not deterministic")
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, no-cache" {
			t.Errorf("Cache-Control %q", cc)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		r304, body := a.Get(t, "/map.png?"+mouraMapQuery+"&lang=en", "If-None-Match", etag)
		if r304.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("If-None-Match: %d (%d bytes)", r304.StatusCode, len(body))
		}
	})
	t.Run("center and zoom, sizes, dark, French", func(t *testing.T) {
		img, _, _ := mapPNG(t, a, "datetime=2022-03-27/2022-03-31&center=-4.6,14.33&zoom=8&width=600&height=400&theme=dark&lang=fr", "dark.png")
		if got := img.Bounds().Size(); got != image.Pt(600, 400) {
			t.Errorf("size %v", got)
		}
		if land := sampleColours(img)[[3]uint8{0x22, 0x2a, 0x31}]; land == 0 {
			t.Error("no dark land")
		}
	})
	t.Run("without a view, the extent of the incidents", func(t *testing.T) {
		mapPNG(t, a, "", "default.png")
	})
	for _, tc := range []struct{ query, param string }{
		{"width=100000", "width"},
		{"height=100000", "height"},
		{"width=2400&height=2400", "width"},
		{"width=10", "width"},
		{"width=abc", "width"},
		{"center=-4.6,14.33", "zoom"},
		{"zoom=8", "center"},
		{"center=-4.6,14.33&zoom=8&bbox=-5,14,-4,15", "center"},
		{"center=200,14&zoom=8", "center"},
		{"center=-4.6,14.33&zoom=15", "zoom"},
		{"theme=sepia", "theme"},
		{"lang=de", "lang"},
		{"datetime=yesterday", "datetime"},
		{"foo=bar", "foo"},
		{"title=" + strings.Repeat("x", 201), "title"},
	} {
		t.Run("400 naming "+tc.param+" for "+tc.query[:min(len(tc.query), 40)], func(t *testing.T) {
			res, body := a.Get(t, "/map.png?"+tc.query)
			var e struct{ Parameter, Description string }
			if res.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Parameter != tc.param {
				t.Errorf("%d %s", res.StatusCode, body)
			}
			// Its text twin refuses it alike.
			if res, text := a.Get(t, "/map.txt?"+tc.query); res.StatusCode != http.StatusBadRequest || !bytes.Equal(text, body) {
				t.Errorf("/map.txt: %d %s", res.StatusCode, text)
			}
		})
	}
}

type oembed struct {
	Version, Type, Title, HTML, Description string
	ProviderName                            string `json:"provider_name"`
	ProviderURL                             string `json:"provider_url"`
	Width, Height                           int
	ThumbnailURL                            string `json:"thumbnail_url"`
	ThumbnailWidth                          int    `json:"thumbnail_width"`
	ThumbnailHeight                         int    `json:"thumbnail_height"`
	CacheAge                                int    `json:"cache_age"`
}

func TestOEmbed(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t) // the description reads the most significant incidents from it
	embed := a.URL + "/embed?" + mouraMapQuery + "&lang=en"
	ask := func(t *testing.T, target string, extra ...string) (*http.Response, []byte) {
		q := url.Values{"url": {target}}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		return a.Get(t, "/oembed?"+q.Encode())
	}
	decode := func(t *testing.T, target string, extra ...string) oembed {
		t.Helper()
		res, body := ask(t, target, extra...)
		var o oembed
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &o) != nil {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		return o
	}

	t.Run("an embed URL gets a rich iframe of /embed with the same query", func(t *testing.T) {
		o := decode(t, embed)
		if o.Version != "1.0" || o.Type != "rich" || o.ProviderName != "incidentmap" || o.ProviderURL != a.URL+"/" {
			t.Errorf("%+v", o)
		}
		if o.Title != "Incidents in Moura, 27-31 March 2022" {
			t.Errorf("title %q", o.Title)
		}
		if !strings.HasPrefix(o.Description, "Killings in Moura: at least 500 people were killed in Moura, Mopti region, "+
			"between 27 and 31 March 2022, according to OHCHR (12 May 2023).") || !strings.Contains(o.Description, "The claims differ.") {
			t.Errorf("description %q", o.Description)
		}
		src := `src="` + a.URL + `/embed?bbox=-6.2%2C13.4%2C-3.0%2C15.3&amp;datetime=2022-03-27%2F2022-03-31&amp;lang=en"`
		if !strings.HasPrefix(o.HTML, "<iframe ") || !strings.Contains(o.HTML, src) || !strings.Contains(o.HTML, `loading="lazy"`) ||
			!strings.Contains(o.HTML, `title="Incidents in Moura, 27-31 March 2022"`) {
			t.Errorf("html %s", o.HTML)
		}
		if o.Width <= 0 || o.Height <= 0 || !strings.Contains(o.HTML, `width="`+strconv.Itoa(o.Width)+`"`) {
			t.Errorf("%dx%d %s", o.Width, o.Height, o.HTML)
		}
		img, _, _ := mapPNG(t, a, strings.TrimPrefix(o.ThumbnailURL, a.URL+"/map.png?"), "thumbnail.png")
		if img.Bounds().Dx() != o.ThumbnailWidth || img.Bounds().Dy() != o.ThumbnailHeight {
			t.Errorf("thumbnail %v, said %dx%d", img.Bounds(), o.ThumbnailWidth, o.ThumbnailHeight)
		}
	})
	t.Run("a viewer URL too", func(t *testing.T) {
		o := decode(t, a.URL+"/?"+mouraMapQuery)
		if !strings.Contains(o.HTML, a.URL+"/embed?") {
			t.Errorf("html %s", o.HTML)
		}
	})
	t.Run("maxwidth and maxheight are honoured", func(t *testing.T) {
		o := decode(t, embed, "maxwidth", "400")
		if o.Width > 400 || o.ThumbnailWidth > 400 || !strings.Contains(o.HTML, `width="`+strconv.Itoa(o.Width)+`"`) {
			t.Errorf("%dx%d, thumbnail %d: %s", o.Width, o.Height, o.ThumbnailWidth, o.HTML)
		}
		o = decode(t, embed, "maxwidth", "1000", "maxheight", "300")
		if o.Width > 1000 || o.Height > 300 || o.ThumbnailHeight > 300 {
			t.Errorf("%dx%d, thumbnail %dx%d", o.Width, o.Height, o.ThumbnailWidth, o.ThumbnailHeight)
		}
	})
	t.Run("attribute values are escaped", func(t *testing.T) {
		o := decode(t, a.URL+`/embed?title=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`)
		// one script only: ours, which sizes the frame
		if strings.Count(o.HTML, "<script") != 1 || !strings.Contains(o.HTML, `/embed.js"></script>`) ||
			strings.Contains(o.HTML, "<script>alert") || strings.Count(o.HTML, `"`)%2 != 0 {
			t.Errorf("html %s", o.HTML)
		}
	})
	for _, tc := range []struct {
		name   string
		target string
		extra  []string
		status int
	}{
		{"format=xml is not implemented", embed, []string{"format", "xml"}, http.StatusNotImplemented},
		{"another format is refused", embed, []string{"format", "yaml"}, http.StatusBadRequest},
		{"a URL of another site is not found", "https://example.org/embed?" + mouraMapQuery, nil, http.StatusNotFound},
		{"another page of this site is not found", a.URL + "/collections/incidents/items", nil, http.StatusNotFound},
		{"an embed URL with a bad filter is not found", a.URL + "/embed?datetime=yesterday", nil, http.StatusNotFound},
		{"not a URL", "::::", nil, http.StatusNotFound},
		{"maxwidth must be a positive integer", embed, []string{"maxwidth", "-3"}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res, body := ask(t, tc.target, tc.extra...); res.StatusCode != tc.status {
				t.Errorf("%d %s", res.StatusCode, body)
			}
		})
	}
	t.Run("url is required", func(t *testing.T) {
		if res, body := a.Get(t, "/oembed"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
}

// No hostile value on a parameter of /map.png or /oembed gets a 5xx.
func TestMapAndOEmbedHostileParameters(t *testing.T) {
	a := testapp.Start(t)
	routes := map[string][]string{
		"/map.png": append([]string{"center", "zoom", "width", "height", "lang", "theme", "title", "bbox", "datetime", "q", "filter", "filter-lang", "filter-crs"}, "undefined"),
		"/map.txt": append([]string{"center", "zoom", "width", "height", "lang", "theme", "title", "bbox", "datetime", "q", "filter", "filter-lang", "filter-crs"}, "undefined"),
		"/oembed":  {"url", "maxwidth", "maxheight", "format", "undefined"},
	}
	for route, params := range routes {
		for _, p := range params {
			for _, v := range hostileValues {
				res, body := a.Get(t, route+"?"+url.Values{p: {v}}.Encode())
				if res.StatusCode >= 500 {
					t.Errorf("%s=%.40q on %s: %d %s", p, v, route, res.StatusCode, body)
				}
			}
		}
	}
}
