package server

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/render"
)

// mouraKillings is the Moura incident, as the seed has it, with two of its
// claims.
func mouraKillings() geo.Incident {
	d := func(s string) *geo.Date { v, _ := geo.ParseDate(s); return &v }
	n := func(v int) *int { return &v }
	return geo.Incident{ID: "moura-2022-03", Title: "Killings in Moura", EventType: "violence_against_civilians",
		Location: "Moura", PlaceID: "moura", Country: "ML", Admin1: "Mopti", Admin2: "Djenné", GeoPrecision: "exact",
		Geometry: mouraPoint, StartsAt: time.Date(2022, 3, 27, 0, 0, 0, 0, time.UTC), DatePrecision: "day",
		EndsAt: time.Date(2022, 3, 31, 23, 59, 59, 0, time.UTC), Fatalities: geo.Fatalities{Low: n(203), Best: n(500), High: n(500)},
		Claims: []geo.Claim{{Claimant: "OHCHR", ClaimedOn: d("2023-05-12"), FatalitiesLow: n(500)},
			{Claimant: "Malian Armed Forces (FAMa/EMGA)", ClaimedOn: d("2022-04-01"), FatalitiesLow: n(203), FatalitiesHigh: n(203)}}}
}

// mouraStory is the description of a view of mouraKillings alone.
const mouraStory = "Killings in Moura: at least 500 people were killed in Moura, Mopti region, between 27 and 31 March 2022, " +
	"according to OHCHR (12 May 2023). Other claims: Malian Armed Forces (FAMa/EMGA), 203 (1 April 2022). The claims differ."

// embedServer serves the real page sources (static/src) with a renderer,
// the Moura incident (each view shows it) and the places around Moura.
func embedServer(t *testing.T, placesErr error) *Server {
	t.Helper()
	maps, err := render.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	places := gazetteer{placesErr: placesErr, places: []geo.Place{
		{ID: "moura", Name: "Moura", Kind: "village", Point: mouraPoint},
		{ID: "djenne", Name: "Djenné", Kind: "town", Point: orb.Point{-4.55, 13.91}},
		{ID: "mopti", Name: "Mopti", Kind: "city", Point: orb.Point{-4.2, 14.49}},
	}}
	return New(Config{Places: places, Static: os.DirFS("../static/src"), Basemap: fakeBasemap{}, Maps: maps,
		Incidents: incidentShelf{list: []geo.Incident{mouraKillings()}}, Logger: quietLogger()})
}

const mouraEmbed = "/embed?datetime=2022-03-27/2022-03-31&bbox=-5.3,13.8,-3.9,14.9"

func TestEmbedPage(t *testing.T) {
	s := embedServer(t, nil)
	tests := []struct {
		name, target string
		header       []string
		want, not    []string
	}{
		{"the caption names the place of the incident shown", mouraEmbed + "&lang=en", nil, []string{
			`<html lang="en" data-theme="auto">`,
			`<title>Incidents in Moura, 27-31 March 2022</title>`,
			`<h1 id="headline">Incidents in Moura, 27-31 March 2022</h1>`,
			`<p id="detail" class="detail" hidden></p>`,
			`/static/js/embed.js`,
		}, []string{`id="time"`}},
		{"French from Accept-Language", mouraEmbed, []string{"Accept-Language", "de-DE, fr;q=0.8"}, []string{
			`<html lang="fr"`, `Incidents à Moura, 27-31 mars 2022`, `lang=fr`,
		}, nil},
		{"a title heads the caption", mouraEmbed + "&lang=en&title=" + url.QueryEscape("Moura, <March> 2022"), nil, []string{
			`<h1 id="headline">Moura, &lt;March&gt; 2022</h1>`,
			`<p id="detail" class="detail">Incidents in Moura, 27-31 March 2022</p>`,
			`title=Moura,%20%3CMarch%3E%202022`,
		}, nil},
		{"one event type is the subject", mouraEmbed + "&lang=en&event_type=battles", nil, []string{
			`<h1 id="headline">Attacks on Moura, 27-31 March 2022</h1>`,
		}, nil},
		{"without a view, the places of all incidents", "/embed?datetime=2022-03-01/..&lang=en", nil, []string{
			`<h1 id="headline">Incidents in Moura, since 1 March 2022</h1>`,
		}, nil},
		{"the description is the still image's alt, the map's description and the page's", mouraEmbed + "&lang=en", nil, []string{
			`<meta name="description" content="` + mouraStory + `">`,
			`<meta property="og:description" content="` + mouraStory + `">`,
			`<meta property="og:image:alt" content="` + mouraStory + `">`,
			`height="500" alt="` + mouraStory + `"`,
			`aria-describedby="map-description"`,
			`<p id="map-description" class="vh"></p>`, // filled for the map, when it loads (describe.js)
		}, nil},
		{"the slider", mouraEmbed + "&slider=1&interactive=0&theme=dark", nil, []string{
			`id="time"`, `data-theme="dark"`,
		}, []string{`media="(prefers-color-scheme: dark)"`}},
		{"the map loads when the reader asks for it", mouraEmbed, nil, []string{
			`data-load="click"`, `<button type="button" id="explore"`,
		}, []string{`maplibre-gl`}},
		{"interactive=1: the map loads once the frame is visible", mouraEmbed + "&interactive=1", nil, []string{
			`data-load="visible"`, `<button type="button" id="explore"`,
		}, []string{`maplibre-gl`}},
		{"interactive=0: a still map", mouraEmbed + "&interactive=0", nil, []string{
			`data-load="never"`, `<img id="still" class="still"`,
		}, []string{`maplibre-gl`, `id="explore"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, tc.target, tc.header...)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %s", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("the page has %s", w)
				}
			}
		})
	}
}

func TestEmbedLinksAndImages(t *testing.T) {
	s := embedServer(t, nil)
	body := get(t, s, mouraEmbed+"&lang=en&slider=1&as_of=2023-06-01T00:00:00Z").Body.String()
	attr := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s in the page", re)
		}
		return html.UnescapeString(m[1])
	}
	card := attr(`<meta property="og:image" content="([^"]+)">`)
	if card != attr(`<meta name="twitter:image" content="([^"]+)">`) {
		t.Error("og:image and twitter:image differ")
	}
	u, err := url.Parse(card)
	if err != nil || u.Path != "/map.png" || u.Host != "example.com" {
		t.Fatalf("og:image %s", card)
	}
	// The image's query is the embed's, for /map.png: the view, the window,
	// the language and the size, and nothing /map.png refuses.
	q := u.Query()
	if q.Get("bbox") != "-5.3,13.8,-3.9,14.9" || q.Get("datetime") != "2022-03-27/2022-03-31" || q.Get("width") != "1200" ||
		q.Get("height") != "630" || q.Get("lang") != "en" || q.Get("as_of") == "" || q.Has("slider") || q.Has("theme") {
		t.Errorf("og:image query %v", q)
	}
	if _, _, err := parseMapRequest(q, ""); err != nil {
		t.Errorf("/map.png would refuse the card: %v", err)
	}
	// The still map, the page's first paint: /map.png of the same view at
	// 800x500, and at 400, 800 and 1200 pixels wide for the browser to pick
	// by its pixel density, the dark twin likewise.
	still, _ := url.Parse(attr(`<img id="still" class="still" src="([^"]+)"`))
	if q, _, err := parseMapRequest(still.Query(), ""); err != nil || still.Path != "/map.png" || q.Width != 800 || q.Height != 500 {
		t.Errorf("the still map %s: %v", still, err)
	}
	if got := attr(`<img id="still"[^>]* width="(\d+)" height="500" alt="[^"]*Moura[^"]*"`); got != "800" {
		t.Errorf("the still map is %s pixels wide", got)
	}
	for _, re := range []string{`<img id="still"[^>]* srcset="([^"]+)"`, `<source media="\(prefers-color-scheme: dark\)" srcset="([^"]+)"`} {
		set := strings.Split(attr(re), ", ")
		if len(set) != 3 {
			t.Fatalf("srcset %q", set)
		}
		for i, c := range set {
			u, w, _ := strings.Cut(c, " ")
			img, _ := url.Parse(u)
			q, _, err := parseMapRequest(img.Query(), "")
			if err != nil || img.Path != "/map.png" || w != fmt.Sprintf("%dw", q.Width) || q.Width != stillWidths[i] || q.Width*5 != q.Height*8 ||
				img.Query().Get("datetime") != "2022-03-27/2022-03-31" {
				t.Errorf("srcset candidate %s: %v", c, err)
			}
		}
	}
	oembed, _ := url.Parse(attr(`<link rel="alternate" type="application/json\+oembed" href="([^"]+)"`))
	if oembed.Path != "/oembed" || oembed.Query().Get("url") != "http://example.com"+mouraEmbed+"&lang=en&slider=1&as_of=2023-06-01T00:00:00Z" {
		t.Errorf("oEmbed link %s", oembed)
	}
	viewer, _ := url.Parse(attr(`<a href="([^"]+)" target="_blank" rel="noopener"><span data-i18n="fullMap">`))
	if viewer.Path != "/" || viewer.Query().Has("slider") || viewer.Query().Get("bbox") == "" || viewer.Query().Get("as_of") == "" {
		t.Errorf("full map link %s", viewer)
	}
	if rec := get(t, s, viewer.RequestURI(), "Accept", "text/html"); rec.Code != 200 {
		t.Errorf("the full map link answers %d", rec.Code)
	}
}

func TestEmbedHeaders(t *testing.T) {
	s := embedServer(t, nil)
	rec := get(t, s, mouraEmbed)
	h := rec.Header()
	csp := h.Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "frame-ancestors *") || !strings.Contains(csp, "default-src 'self'") ||
		!strings.Contains(csp, "connect-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Count(csp, "*") != 1 {
		t.Errorf("the CSP allows more than any framing page: %q", csp)
	}
	if h.Get("X-Frame-Options") != "" || h.Get("Set-Cookie") != "" {
		t.Errorf("X-Frame-Options %q, Set-Cookie %q", h.Get("X-Frame-Options"), h.Get("Set-Cookie"))
	}
	if h.Get("Referrer-Policy") != "strict-origin-when-cross-origin" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers %v", h)
	}
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Language") {
		t.Errorf("Vary %v: the language comes from Accept-Language", h.Values("Vary"))
	}
	// The viewer keeps its own framing rule.
	if csp := get(t, s, "/?f=html").Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'self'") {
		t.Errorf("viewer CSP %q", csp)
	}
}

func TestEmbedRefusesBadParameters(t *testing.T) {
	s := embedServer(t, nil)
	for _, tc := range []struct{ query, param string }{
		{"f=json", "f"},
		{"zoom=3", "zoom"},
		{"interactive=yes", "interactive"},
		{"slider=2", "slider"},
		{"title=%20%20", "title"},
		{"title=" + strings.Repeat("x", 201), "title"},
		{"lang=de", "lang"},
		{"theme=sepia", "theme"},
		{"highlight=%3Cscript%3E", "highlight"},
		{"datetime=soon", "datetime"},
		{"bbox=1,2,3", "bbox"},
		{"as_of=yesterday", "as_of"},
		{"event_type=picnic", "event_type"},
		{"lang=en&lang=fr", "lang"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := get(t, s, "/embed?"+tc.query)
			if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"parameter":"`+tc.param+`"`) ||
				!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("%d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
		})
	}
	if rec := get(t, s, "/embed?as_of=2023-06-01T00:00:00Z&interactive=0&slider=1&highlight=moura-2022-03&q=Moura"); rec.Code != 200 {
		t.Errorf("valid parameters: %d %s", rec.Code, rec.Body)
	}
}

func TestEmbedWhenTheIncidentsCannotBeRead(t *testing.T) {
	s := embedServer(t, nil)
	s.incidents = incidentShelf{err: &geo.Error{Code: geo.EUnavailable, Message: "down"}}
	rec := get(t, s, mouraEmbed+"&lang=en")
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, `<h1 id="headline">Incidents, 27-31 March 2022</h1>`) ||
		!strings.Contains(body, `alt="Incidents, 27-31 March 2022"`) {
		t.Errorf("%d: the page should go without the places, its caption for description: %s", rec.Code, rec.Body)
	}
}

func TestEmbedNotBuilt(t *testing.T) {
	s := New(Config{Static: fstest.MapFS{".gitkeep": {}}})
	rec := get(t, s, "/embed")
	if rec.Code != 404 {
		t.Errorf("embed without a build: %d", rec.Code)
	}
	if rec := get(t, s, "/embed.js"); rec.Code != 404 {
		t.Errorf("embed.js without a build: %d", rec.Code)
	}
}

func TestEmbedScript(t *testing.T) {
	s := embedServer(t, nil)
	rec := get(t, s, "/embed.js")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" ||
		!strings.Contains(rec.Body.String(), "incidentmap:height") || !strings.Contains(rec.Header().Get("Cache-Control"), "max-age") {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	if again := get(t, s, "/embed.js", "If-None-Match", rec.Header().Get("ETag")); again.Code != 304 {
		t.Errorf("revalidation: %d", again.Code)
	}
	if rec := get(t, s, "/embed.js?v=2"); rec.Code != 400 {
		t.Errorf("embed.js with a parameter: %d", rec.Code)
	}
}

func TestOEmbedDiscovery(t *testing.T) {
	s := embedServer(t, nil)
	body := get(t, s, "/?f=html&datetime=2022-03-27/2022-03-31&lang=en").Body.String()
	m := regexp.MustCompile(`<link rel="alternate" type="application/json\+oembed" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the viewer has no oEmbed link")
	}
	u, _ := url.Parse(html.UnescapeString(m[1]))
	page := u.Query().Get("url")
	if u.Path != "/oembed" || strings.Contains(page, "f=html") || !strings.Contains(page, "datetime=") {
		t.Errorf("oEmbed link %s (page %s)", u, page)
	}
	// The provider takes the page it is pointed at.
	if _, err := embeddedQuery(u.Query(), "http://example.com"); err != nil {
		var ge *geo.Error
		errors.As(err, &ge)
		t.Errorf("/oembed would refuse the viewer's own link: %v", err)
	}
}
