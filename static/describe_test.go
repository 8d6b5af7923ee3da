package static_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

// mapDescription is the accessible description of the page's map: the
// text of the element its aria-describedby names.
func mapDescription(t *testing.T, b *browser) string {
	t.Helper()
	var s string
	b.eval(t, `(() => { const id = document.getElementById("map").getAttribute("aria-describedby");
		return (id && document.getElementById(id)?.textContent) || ""; })()`, &s)
	return s
}

func TestMapDescriptionInBrowser(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	b := newBrowser(t, 1280, 800)
	b.open(t, a.URL+"/?datetime=2022-03-27/2022-03-31&"+mouraView+"&lang=en")

	t.Run("the viewer's map is described by its data: Moura, its toll and whose it is", func(t *testing.T) {
		got := mapDescription(t, b)
		for _, want := range []string{"Killings in Moura: at least 500 people were killed in Moura, Mopti region", "according to OHCHR",
			"Human Rights Watch, 300", "The claims differ."} {
			if !strings.Contains(got, want) {
				t.Errorf("the map's description lacks %q: %q", want, got)
			}
		}
	})
	t.Run("it follows the window and the language", func(t *testing.T) {
		day := time.Date(2022, 4, 24, 0, 0, 0, 0, time.UTC).Unix() / 86400
		b.eval(t, fmt.Sprintf(`__incidentmap.setWindow(%d, %d)`, day, day), nil)
		b.settle(t)
		if got := mapDescription(t, b); !strings.Contains(got, "Attack on the army camp at Sévaré") || strings.Contains(got, "OHCHR") {
			t.Errorf("24 April 2022: %q", got)
		}
		b.eval(t, `__incidentmap.setLanguage("fr")`, nil)
		b.settle(t)
		if got := mapDescription(t, b); !strings.Contains(got, "près de Sévaré (à 5 km environ), région de Mopti, le 24 avril 2022") {
			t.Errorf("en français : %q", got)
		}
	})
}
