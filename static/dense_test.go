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

// renderedDisc is a mark as the map draws it: its centre on screen, its
// radius and stroke, in CSS pixels.
type renderedDisc struct {
	X, Y, R, Stroke float64
	What            string
}

// renderedMarks reads the marks the map draws from the rendered features
// of the clusters, dots and rings (a mark that lies in two tiles' buffers
// is read once). The radii and strokes are the style's: a cluster's from
// its radius property, a dot's from its deaths, a ring's fixed.
func (b *browser) renderedMarks(t *testing.T) []renderedDisc {
	t.Helper()
	var out []renderedDisc
	b.eval(t, `(() => {
		const map = window.__incidentmap.map, seen = new Set(), out = [];
		const stroke = (layer) => map.getPaintProperty(layer, 'circle-stroke-width') ?? 0;
		const dot = (deaths) => deaths <= 100 ? 5 + 3 * deaths / 100 : deaths <= 1000 ? 8 + 5 * (deaths - 100) / 900 : 13;
		for (const f of map.queryRenderedFeatures({ layers: ['clusters', 'incident-points', 'incident-approx'] })) {
			const p = map.project(f.geometry.coordinates);
			const key = f.layer.id + ' ' + (f.properties.id ?? '') + ' ' + p.x.toFixed(1) + ',' + p.y.toFixed(1);
			if (seen.has(key)) continue;
			seen.add(key);
			const id = f.layer.id, props = f.properties;
			const r = id === 'clusters' ? props.radius : id === 'incident-points' ? dot(Math.max(props.fatalities_best ?? 0, 0)) : map.getPaintProperty(id, 'circle-radius');
			const what = id === 'clusters' ? 'cluster of ' + props.count : id + ' ' + props.id;
			out.push({ X: p.x, Y: p.y, R: r, Stroke: stroke(id), What: what });
		}
		return out;
	})()`, &out)
	return out
}

// overlaps lists the pairs of marks that intersect, strokes included.
func overlaps(discs []renderedDisc) []string {
	var out []string
	for i, a := range discs {
		for _, b := range discs[i+1:] {
			if d := math.Hypot(a.X-b.X, a.Y-b.Y); d < a.R+a.Stroke+b.R+b.Stroke {
				out = append(out, fmt.Sprintf("%s at (%.0f, %.0f) and %s at (%.0f, %.0f): %.1f px apart, radii %.1f and %.1f",
					a.What, a.X, a.Y, b.What, b.X, b.Y, d, a.R, b.R))
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

	t.Run("no two marks overlap at any zoom", func(t *testing.T) {
		b := newBrowser(t, 1280, 800)
		b.open(t, a.URL+"/?bbox=-12,10,4,20&lang=en")
		dots := 0
		for _, zoom := range []float64{4.2, 5, 5.5, 6.3, 6.99, 8.5, 10, 11.7} {
			b.eval(t, fmt.Sprintf(`window.__incidentmap.map.jumpTo({ center: [-4.2, 14.2], zoom: %v }), true`, zoom), nil)
			b.settle(t)
			marks, clusters := b.renderedMarks(t), 0
			for _, m := range marks {
				if strings.HasPrefix(m.What, "cluster") {
					clusters++
				}
			}
			dots += len(marks) - clusters
			if zoom < 8 && clusters < 10 {
				t.Errorf("zoom %v: %d clusters drawn: the view is not dense", zoom, clusters)
			}
			for _, o := range overlaps(marks) {
				t.Errorf("zoom %v: %s", zoom, o)
			}
			if zoom == 5 || zoom == 6.99 || zoom == 10 {
				b.screenshot(t, fmt.Sprintf("dense-z%v.png", zoom))
			}
		}
		if dots < 20 {
			t.Errorf("%d dots and rings drawn at all zooms: the test looks at too few", dots)
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
