package server_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// campsMapQuery is the view of the attacks of 24 April 2022 on the army
// camps of Sévaré, Niono and Bapho (and not those of Burkina Faso, the
// same morning, further east).
const campsMapQuery = "datetime=2022-04-24/2022-04-24&bbox=-6.6,13.3,-3.8,14.8"

// The Moura view's description begins so (package story pins it whole).
const mouraLead = "Killings in Moura: at least 500 people were killed in Moura, Mopti region, between 27 and 31 March 2022, " +
	"according to OHCHR (12 May 2023)."

// mapText fetches a /map.txt: its caption and its description.
func mapText(t *testing.T, a *testapp.App, query string) (caption, description string) {
	t.Helper()
	res, body := a.Get(t, "/map.txt?"+query)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("GET /map.txt?%s: %d %s %s", query, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	caption, description, ok := strings.Cut(string(body), "\n\n")
	if !ok || !strings.HasSuffix(description, "\n") {
		t.Fatalf("not a headline, a blank line and a description: %q", body)
	}
	return caption, strings.TrimSuffix(description, "\n")
}

func TestMapText(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	t.Run("the Moura view, in English and French", func(t *testing.T) {
		caption, text := mapText(t, a, mouraMapQuery+"&lang=en")
		if caption != "Incidents in Moura, 27-31 March 2022" || !strings.HasPrefix(text, mouraLead) ||
			!strings.Contains(text, "Malian Armed Forces (FAMa/EMGA), 203 (1 April 2022)") || !strings.HasSuffix(text, "The claims differ.") {
			t.Errorf("%s\n%s", caption, text)
		}
		caption, text = mapText(t, a, mouraMapQuery+"&lang=fr")
		if caption != "Incidents à Moura, 27-31 mars 2022" ||
			!strings.HasPrefix(text, "« Killings in Moura » : au moins 500 personnes ont été tuées à Moura, région de Mopti, du 27 au 31 mars 2022, selon OHCHR (12 mai 2023).") {
			t.Errorf("%s\n%s", caption, text)
		}
	})
	t.Run("the camps of 24 April 2022, by significance", func(t *testing.T) {
		caption, text := mapText(t, a, campsMapQuery+"&lang=en")
		if caption != "Attacks near Sévaré, Niono and Bapho, 24 April 2022" ||
			!strings.HasPrefix(text, "3 incidents near Sévaré, Niono and Bapho, 24 April 2022; 17 people killed by the best estimates. ") {
			t.Errorf("%s\n%s", caption, text)
		}
	})
	t.Run("a title heads the caption", func(t *testing.T) {
		res, body := a.Get(t, "/map.txt?"+mouraMapQuery+"&lang=en&title=Moura")
		if !strings.HasPrefix(string(body), "Moura\nIncidents in Moura, 27-31 March 2022\n\n"+mouraLead) {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("the language follows Accept-Language, which it varies by", func(t *testing.T) {
		res, body := a.Get(t, "/map.txt?"+mouraMapQuery, "Accept-Language", "fr-FR,fr;q=0.9")
		if !strings.HasPrefix(string(body), "Incidents à Moura") || !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("%v %s", res.Header, body)
		}
	})
	t.Run("/map.png links its text twin and draws the same caption", func(t *testing.T) {
		_, _, res := mapPNG(t, a, mouraMapQuery+"&lang=en", "moura-described.png")
		want := `</map.txt?` + mouraMapQuery + `&lang=en>; rel="describedby"; type="text/plain"`
		if got := res.Header.Get("Link"); got != want {
			t.Errorf("Link %s, want %s", got, want)
		}
	})
}

func TestPagesCarryTheDescription(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	attr := func(s string) string { return html.EscapeString(s) }
	t.Run("the embed: its still image's alt, og:image:alt, og:description and description", func(t *testing.T) {
		_, body := a.Get(t, "/embed?"+mouraMapQuery+"&lang=en")
		page := string(body)
		for _, want := range []string{`height="500" alt="` + attr(mouraLead), `<meta property="og:image:alt" content="` + attr(mouraLead),
			`<meta property="og:description" content="` + attr(mouraLead), `<meta name="description" content="` + attr(mouraLead)} {
			if !strings.Contains(page, want) {
				t.Errorf("the embed lacks %s", want)
			}
		}
	})
	t.Run("the viewer: og:description, og:image:alt and the map's description, in French", func(t *testing.T) {
		_, body := a.Get(t, "/?"+campsMapQuery+"&lang=fr", "Accept", "text/html")
		page := string(body)
		lead := attr("3 incidents près de Sévaré, Niono et Bapho, 24 avril 2022 ; 17 morts selon les meilleures estimations.")
		for _, want := range []string{`<meta property="og:description" content="` + lead, `<meta property="og:image:alt" content="` + lead,
			`<meta property="og:title" content="Attaques près de Sévaré, Niono et Bapho, 24 avril 2022">`,
			`aria-describedby="map-description"`, `<p id="map-description" class="vh">` + lead} {
			if !strings.Contains(page, want) {
				t.Errorf("the viewer lacks %s", want)
			}
		}
	})
}
