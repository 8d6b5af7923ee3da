package static_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb/maptile"

	"incidentmap/internal/testenv/testapp"
)

// sevareMay is a view where testapp.NewIncident (Sévaré, 10 May 2022)
// lands once written.
const sevareMay = "datetime=2022-05-01/2022-05-31&bbox=-5,14,-3.5,15&lang=en"

// tab opens another tab of b's Chromium.
func (b *browser) tab(t *testing.T) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	tab := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return tab
}

// shows reports whether the page lists and draws the incident at Sévaré.
const showsSevare = `document.getElementById("incident-list").textContent.includes("Test attack near Sévaré") &&
	window.__incidentmap.rendered().some((f) => f.location === "Sévaré")`

func TestLiveMapsFollowWrites(t *testing.T) {
	needBrowser(t)
	a := testapp.Start(t)
	editor := a.NewToken(t, "editor-live-browser", "editor")
	// One browser each, so that each page is in front: a tab behind
	// another neither draws nor runs its timers at full pace.
	viewer, embed, frozen := newBrowser(t, 1100, 800), newBrowser(t, 800, 700), newBrowser(t, 800, 700)

	viewer.open(t, a.URL+"/?"+sevareMay)
	embed.run(t, chromedp.Navigate(a.URL+"/embed?"+sevareMay+"&interactive=1")) // the map loads once visible
	embed.settle(t)
	asOf := time.Now().UTC().Format(time.RFC3339)
	frozen.open(t, a.URL+"/?"+sevareMay+"&as_of="+url.QueryEscape(asOf))
	for name, b := range map[string]*browser{"viewer": viewer, "embed": embed, "as_of view": frozen} {
		var shows bool
		b.eval(t, showsSevare, &shows)
		if shows {
			t.Fatalf("the %s shows Sévaré before the write", name)
		}
		b.eval(t, `window.__reloaded = false`, nil) // a reload would clear it
	}
	for _, b := range []*browser{viewer, embed} {
		b.waitFor(t, `window.__incidentmap.live()?.updated != null`) // the stream said hello
	}

	written := time.Now()
	res, body := a.Do(t, "POST", "/collections/incidents/items", editor, strings.NewReader(testapp.NewIncident),
		"Content-Type", "application/geo+json")
	if res.StatusCode != 201 {
		t.Fatalf("POST: %d %s", res.StatusCode, body)
	}
	for name, b := range map[string]*browser{"viewer": viewer, "embed": embed} {
		t.Run("the "+name+" lists and draws the new incident without a reload", func(t *testing.T) {
			b.waitFor(t, showsSevare)
			t.Logf("shown %v after the write", time.Since(written).Round(10*time.Millisecond))
			var reloaded bool
			var stats struct {
				Changes, Refreshed int
				HeardAt, AppliedAt int64
			}
			b.eval(t, `window.__reloaded !== false`, &reloaded)
			b.eval(t, `window.__incidentmap.live()`, &stats)
			t.Logf("event heard %v after the write, tiles and list asked again %v after",
				time.UnixMilli(stats.HeardAt).Sub(written), time.UnixMilli(stats.AppliedAt).Sub(written))
			if reloaded || stats.Changes < 1 || stats.Refreshed < 1 {
				t.Errorf("reloaded %v, stream %+v", reloaded, stats)
			}
			line := b.text(t, ".live-status")
			if !strings.HasPrefix(line, "Updated ") {
				t.Errorf("the updated line reads %q", line)
			}
		})
	}
	t.Run("a change redraws the neighbouring tiles whose margin it falls in, and no others", func(t *testing.T) {
		viewer.eval(t, `(() => { const m = window.__incidentmap.map, refresh = m.refreshTiles.bind(m);
			window.__refreshed = [];
			m.refreshTiles = (source, ids) => { window.__refreshed.push(...(ids ?? [{z: -1}]).map((i) => i.z+"/"+i.x+"/"+i.y)); return refresh(source, ids); };
		})()`, nil)
		const z = 10
		home := maptile.At(testapp.Sevare, z)
		east := maptile.New(home.X+1, home.Y, z)
		bound := home.Bound()
		width := bound.Max.X() - bound.Min.X()
		name := func(tile maptile.Tile) string { return fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y) }
		for i, c := range []struct {
			where     string
			lon       float64
			redrawsIt bool // the east neighbour
		}{
			{"a thirty-second of a tile from the east edge", bound.Max.X() - width/32, true},
			{"in the middle of the tile", bound.Center().X(), false},
		} {
			time.Sleep(1500 * time.Millisecond) // past the second refresh of the change before (live.js, PROXY_HOLD_MS)
			viewer.eval(t, `window.__refreshed = []`, nil)
			var before int
			viewer.eval(t, `window.__incidentmap.live().changes`, &before)
			id := fmt.Sprintf("test-margin-%d", i)
			point := fmt.Sprintf(`{"type":"Point","coordinates":[%.6f,%.6f]}`, c.lon, bound.Center().Y())
			if res, body := a.Do(t, "POST", "/collections/incidents/items", editor, strings.NewReader(testapp.ShapeFeature(id, point)),
				"Content-Type", "application/geo+json"); res.StatusCode != 201 {
				t.Fatalf("POST: %d %s", res.StatusCode, body)
			}
			viewer.waitFor(t, fmt.Sprintf(`window.__incidentmap.live().changes > %d && window.__refreshed.length > 0`, before))
			var refreshed []string
			viewer.eval(t, `window.__refreshed`, &refreshed)
			if !slices.Contains(refreshed, name(home)) || slices.Contains(refreshed, name(east)) != c.redrawsIt {
				t.Errorf("an incident %s of %s: redrawn %v; want %s, and %s: %v", c.where, name(home), refreshed,
					name(home), name(east), c.redrawsIt)
			}
		}
	})
	t.Run("the embed's update line is in French in French", func(t *testing.T) {
		fr := frozen.tab(t)
		fr.run(t, chromedp.Navigate(a.URL+"/embed?"+strings.Replace(sevareMay, "lang=en", "lang=fr", 1)))
		fr.settle(t)
		fr.waitFor(t, `document.querySelector(".live-status")?.hidden === false`)
		if line := fr.text(t, ".live-status"); !strings.HasPrefix(line, "Mise à jour") {
			t.Errorf("the French line reads %q", line)
		}
	})
	t.Run("an as_of view never changes and opens no stream", func(t *testing.T) {
		time.Sleep(2 * time.Second)
		var shows, stream bool
		frozen.eval(t, showsSevare, &shows)
		frozen.eval(t, `window.__incidentmap.live() != null || performance.getEntriesByType("resource").some((r) => r.name.includes("/changes/stream"))`, &stream)
		if shows || stream {
			t.Errorf("the as_of view shows the write: %v, opened a stream: %v", shows, stream)
		}
	})
	t.Run("live=0 opens no stream", func(t *testing.T) {
		off := frozen.tab(t)
		off.run(t, chromedp.Navigate(a.URL+"/embed?live=0&"+sevareMay))
		off.settle(t)
		var live bool
		off.eval(t, `window.__incidentmap.live() != null`, &live)
		if live {
			t.Error("the embed with live=0 follows the stream")
		}
	})
}
