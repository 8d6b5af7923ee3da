package static_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"incidentmap/internal/testenv/testapp"
)

// renderedDisc is a cluster as the map draws it: its centre on screen, the
// radius MapLibre evaluated for it and its stroke, in CSS pixels.
type renderedDisc struct {
	X, Y, R, Stroke float64
	Count           int
}

// renderedClusters reads the clusters the map draws from the rendered
// features of the cluster layer (a cluster that lies in two tiles' buffers
// is read once).
func (b *browser) renderedClusters(t *testing.T) []renderedDisc {
	t.Helper()
	var out []renderedDisc
	b.eval(t, `(() => {
		const map = window.__incidentmap.map, seen = new Set(), out = [];
		const stroke = map.getPaintProperty('clusters', 'circle-stroke-width') ?? 0;
		for (const f of map.queryRenderedFeatures({ layers: ['clusters'] })) {
			const p = map.project(f.geometry.coordinates);
			const key = p.x.toFixed(1) + ',' + p.y.toFixed(1);
			if (seen.has(key)) continue;
			seen.add(key);
			const r = f.layer.paint?.['circle-radius'];
			out.push({ X: p.x, Y: p.y, R: typeof r === 'number' ? r : f.properties.radius, Stroke: stroke, Count: f.properties.count });
		}
		return out;
	})()`, &out)
	return out
}

// overlaps lists the pairs of discs that intersect, strokes included.
func overlaps(discs []renderedDisc) []string {
	var out []string
	for i, a := range discs {
		for _, b := range discs[i+1:] {
			if d := math.Hypot(a.X-b.X, a.Y-b.Y); d < a.R+a.Stroke+b.R+b.Stroke {
				out = append(out, fmt.Sprintf("clusters of %d at (%.0f, %.0f) and %d at (%.0f, %.0f): %.1f px apart, radii %.1f and %.1f",
					a.Count, a.X, a.Y, b.Count, b.X, b.Y, d, a.R, b.R))
			}
		}
	}
	return out
}

// A dense view (40,000 incidents, every year) draws clusters that never
// overlap, at fractional zooms and whole ones; its list is ordered by
// deaths, says how many it leaves out, and its order is a control kept in
// the permalink.
func TestDenseViewInBrowser(t *testing.T) {
	a := testapp.Serve(t, testapp.SeededWith(t, 40000, "15"))
	a.WaitTileIndex(t)

	t.Run("no two clusters overlap at any zoom", func(t *testing.T) {
		b := newBrowser(t, 1280, 800)
		b.open(t, a.URL+"/?bbox=-12,10,4,20&lang=en")
		for _, zoom := range []float64{4.2, 5, 5.5, 6.3, 6.99, 8.5} {
			b.eval(t, fmt.Sprintf(`window.__incidentmap.map.jumpTo({ center: [-4.2, 14.2], zoom: %v }), true`, zoom), nil)
			b.settle(t)
			discs := b.renderedClusters(t)
			if zoom < 8 && len(discs) < 10 {
				t.Errorf("zoom %v: %d clusters drawn: the view is not dense", zoom, len(discs))
			}
			for _, o := range overlaps(discs) {
				t.Errorf("zoom %v: %s", zoom, o)
			}
			if zoom == 5 || zoom == 6.99 {
				b.screenshot(t, fmt.Sprintf("dense-z%v.png", zoom))
			}
		}
	})

	b := newBrowser(t, 1280, 800)
	b.open(t, a.URL+"/?bbox=-6.5,12.5,-2,15.5&lang=en")
	t.Run("the list starts with the deadliest and counts the rest", func(t *testing.T) {
		if v := b.text(t, "label[for=list-order]"); v != "Order" {
			t.Errorf("the order's label reads %q", v)
		}
		var order string
		b.eval(t, `document.getElementById('list-order').value`, &order)
		if order != "deaths" {
			t.Errorf("the list's order is %q by default", order)
		}
		deaths := b.listedDeaths(t)
		for i := 1; i < len(deaths); i++ {
			if deaths[i] > deaths[i-1] {
				t.Fatalf("listed deaths %v are not in decreasing order", deaths)
			}
		}
		total, rest := b.listCounts(t)
		if total <= 100 || rest != total-100 {
			t.Errorf("%d in view and %d not listed: %q, %q", total, rest, b.text(t, "#list-status"), b.text(t, "#list-more"))
		}
	})
	t.Run("the oldest first, kept in the permalink, in French too", func(t *testing.T) {
		b.eval(t, `(() => { const s = document.getElementById('list-order'); s.value = 'oldest';
			s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`, nil)
		b.waitFor(t, `location.search.includes('order=oldest')`)
		b.settle(t)
		first := b.listedStarts(t)
		var permalink string
		b.eval(t, `location.href`, &permalink)
		b.open(t, strings.Replace(permalink, "lang=en", "lang=fr", 1))
		var order string
		b.eval(t, `document.getElementById('list-order').value`, &order)
		if order != "oldest" {
			t.Errorf("the permalink %s opens with the order %q", permalink, order)
		}
		again := b.listedStarts(t)
		if len(first) == 0 || strings.Join(first, " ") != strings.Join(again, " ") {
			t.Errorf("the permalink lists %v, the page listed %v", again, first)
		}
		for i := 1; i < len(again); i++ {
			if again[i] < again[i-1] {
				t.Fatalf("listed starts %v are not the oldest first", again)
			}
		}
		if v := b.text(t, "label[for=list-order]"); v != "Ordre" {
			t.Errorf("the order's label reads %q in French", v)
		}
		if more := b.text(t, "#list-more"); !strings.Contains(more, "autres visibles, non listés") {
			t.Errorf("the count of what is not listed reads %q in French", more)
		}
	})
}

// listed reads a property of the first 20 incidents listed, from the API.
func (b *browser) listed(t *testing.T, property string, out any) {
	t.Helper()
	b.eval(t, fmt.Sprintf(`Promise.all([...document.querySelectorAll('#incident-list button[data-id]')].slice(0, 20)
		.map((e) => fetch('/collections/incidents/items/' + encodeURIComponent(e.dataset.id), { headers: { Accept: 'application/geo+json' } })
		.then((r) => r.json()).then((f) => f.properties[%q] ?? null)))`, property), out)
}

func (b *browser) listedDeaths(t *testing.T) []int {
	t.Helper()
	var raw []*int
	b.listed(t, "fatalities_best", &raw)
	out := make([]int, len(raw))
	for i, v := range raw {
		out[i] = -1
		if v != nil {
			out[i] = *v
		}
	}
	return out
}

func (b *browser) listedStarts(t *testing.T) []string {
	t.Helper()
	var out []string
	b.listed(t, "starts_at", &out)
	return out
}

// listCounts reads how many incidents are in view and how many are not
// listed from the list's status and its last line.
func (b *browser) listCounts(t *testing.T) (total, rest int) {
	t.Helper()
	number := regexp.MustCompile(`\d[\d,\s\x{202f}\x{a0}]*`)
	read := func(s string) int {
		n, _ := strconv.Atoi(regexp.MustCompile(`\D`).ReplaceAllString(number.FindString(s), ""))
		return n
	}
	return read(b.text(t, "#list-status")), read(b.text(t, "#list-more"))
}
