package server

import (
	"errors"
	"net/url"
	"testing"

	"incidentmap/geo"
)

func TestParseMapRequest(t *testing.T) {
	for _, tc := range []struct {
		name, query, acceptLanguage string
		check                       func(t *testing.T, q url.Values) // nil: accepted is enough
	}{
		{name: "defaults", query: "", check: func(t *testing.T, q url.Values) {
			req, _, _ := parseMapRequest(q, "")
			if req.Width != 1200 || req.Height != 630 || req.Lang != "en" || req.Theme != "light" || req.BBox != nil {
				t.Errorf("%+v", req)
			}
		}},
		{name: "bbox is the view, not a filter", query: "bbox=-6,13,-3,15&datetime=2022-03-27", check: func(t *testing.T, q url.Values) {
			req, f, _ := parseMapRequest(q, "")
			if req.BBox == nil || f.BBox != nil || req.Filter.BBox != nil || f.Time.Start == nil {
				t.Errorf("%+v %+v", req, f)
			}
		}},
		{name: "center and zoom", query: "center=-4.6,14.3&zoom=7.5", check: func(t *testing.T, q url.Values) {
			req, _, _ := parseMapRequest(q, "")
			if req.Center == nil || req.Zoom != 7.5 || req.BBox != nil {
				t.Errorf("%+v", req)
			}
		}},
		{name: "French from Accept-Language", query: "", acceptLanguage: "de-DE, fr-FR;q=0.8", check: func(t *testing.T, q url.Values) {
			if req, _, _ := parseMapRequest(q, "de-DE, fr-FR;q=0.8"); req.Lang != "fr" {
				t.Errorf("lang %q", req.Lang)
			}
		}},
		{name: "auto theme is light", query: "theme=auto"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err = parseMapRequest(q, tc.acceptLanguage); err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if tc.check != nil {
				tc.check(t, q)
			}
		})
	}
}

// A refused map request is 400 naming the parameter at fault: each
// parameter with the queries it is refused in.
func TestParseMapRequestNamesTheParameterAtFault(t *testing.T) {
	for param, queries := range map[string][]string{
		"width":      {"width=100000", "width=2400&height=2000"}, // too wide; too many pixels
		"height":     {"height=20"},
		"center":     {"zoom=3", "center=1,2&zoom=3&bbox=0,0,1,1", "center=1,89&zoom=3", "center=NaN,NaN&zoom=3"},
		"zoom":       {"center=1,2", "center=1,2&zoom=-1"},
		"limit":      {"limit=3"}, // not a parameter of maps
		"event_type": {"event_type=picnic"},
		"title":      {"title=%20"},
	} {
		for _, query := range queries {
			q, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = parseMapRequest(q, "")
			var ge *geo.Error
			if !errors.As(err, &ge) || ge.Code != geo.EInvalid || ge.Param != param {
				t.Errorf("%s: want a 400 naming %s, got %#v", query, param, err)
			}
		}
	}
}

func TestEmbeddedQuery(t *testing.T) {
	const base = "http://maps.example.org"
	for _, tc := range []struct {
		url   string
		found bool
	}{
		{base + "/embed?datetime=2022-03-27/2022-03-31&bbox=-6,13,-3,15", true},
		{base + "/?datetime=2022-03-27&lang=fr&theme=auto", true},
		{base + "/embed/?slider=0&interactive=1&title=Moura", true},
		{base, true},
		{"https://MAPS.example.org/embed", true},
		{"http://maps.example.org.evil.test/embed", false},
		{"http://evil.test/embed?x=http://maps.example.org", false},
		{"javascript:alert(1)", false},
		{base + "/collections/incidents/items", false},
		{base + "/embed?datetime=yesterday", false},
		{base + "/embed?foo=bar", false},
		{"//maps.example.org/embed", false},
	} {
		q := url.Values{"url": {tc.url}}
		_, err := embeddedQuery(q, base)
		if found := err == nil; found != tc.found {
			t.Errorf("%s: %v", tc.url, err)
		} else if err != nil && geo.ErrorCode(err) != geo.ENotFound {
			t.Errorf("%s: want a 404, got %v", tc.url, err)
		}
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct{ w, h, maxW, maxH, wantW, wantH int }{
		{800, 560, 0, 0, 800, 560},
		{800, 560, 400, 0, 400, 280},
		{800, 560, 0, 280, 400, 280},
		{800, 560, 1000, 100, 142, 100},
		{1200, 630, 400, 400, 400, 210},
	} {
		if w, h := fit(tc.w, tc.h, tc.maxW, tc.maxH); w != tc.wantW || h != tc.wantH {
			t.Errorf("fit(%d, %d, %d, %d) = %d, %d", tc.w, tc.h, tc.maxW, tc.maxH, w, h)
		}
	}
}

func TestThumbnailQueryKeepsOnlyMapParameters(t *testing.T) {
	inner, _ := url.ParseQuery("bbox=-6,13,-3,15&datetime=2022-03-27&highlight=moura-2022-03&slider=1&theme=auto&lang=fr")
	got := thumbnailQuery(inner, 400, 210).Encode()
	if want := "bbox=-6%2C13%2C-3%2C15&datetime=2022-03-27&height=210&lang=fr&width=400"; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	if _, _, err := parseMapRequest(thumbnailQuery(inner, 400, 210), ""); err != nil {
		t.Errorf("the thumbnail's query is refused: %v", err)
	}
}
