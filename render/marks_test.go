package render

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// denseIncidents are n incidents over central Mali, half of them in a
// tight blob at Moura: a view where clusters crowd.
func denseIncidents(n int) []geo.Summary {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]geo.Summary, n)
	for i := range out {
		p := orb.Point{-4.6 + r.NormFloat64()*0.15, 14.1 + r.NormFloat64()*0.15}
		if i%2 == 0 {
			p = orb.Point{-5.4 + r.Float64()*1.8, 13.6 + r.Float64()*1.4}
		}
		out[i] = summary(fmt.Sprintf("d%d", i), eventOrder[i%4], "exact", p, i%30)
	}
	return out
}

// denseMap is the Moura map of incidents at width x height, with its
// clusters; it checks that each incident is drawn or counted once.
func denseMap(t *testing.T, r *Renderer, width, height int, incidents []geo.Summary) (*Map, []cluster) {
	t.Helper()
	req := mouraRequest()
	req.Width, req.Height = width, height
	m, err := r.NewMap(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range incidents {
		m.AddIncident(s)
	}
	singles, clusters := m.marks.layout()
	if counted := len(singles) + countedIn(clusters); counted != m.marks.n {
		t.Errorf("%dx%d: %d incidents drawn or counted of %d in view", width, height, counted, m.marks.n)
	}
	return m, clusters
}

func countedIn(clusters []cluster) int {
	n := 0
	for _, c := range clusters {
		n += c.n
	}
	return n
}

// No two marks of a map overlap, halos included, at every size, however
// dense (a blob, a thinner spread, incidents stacked on one point,
// approximate places), and each count fits inside its disc.
func TestMarksOfAMapNeverOverlap(t *testing.T) {
	r := testRenderer(t)
	many := denseIncidents(30000)
	rnd := rand.New(rand.NewPCG(5, 6))
	for i := range 300 { // thinner, on either side of the blob
		p := orb.Point{-6.15 + rnd.Float64()*0.7, 13.45 + rnd.Float64()*1.8}
		if i%2 == 0 {
			p[0] += 2.7
		}
		if i%10 == 0 {
			p = orb.Point{-3.3, 13.7} // stacked
		}
		many = append(many, summary(fmt.Sprintf("s%d", i), eventOrder[i%4], geo.GeoPrecisions[i%3], p, i%700))
	}
	for _, size := range [][2]int{{DefaultWidth, DefaultHeight}, {600, 315}, {2000, 1050}, {400, 400}} {
		m, clusters := denseMap(t, r, size[0], size[1], many)
		if len(clusters) < 10 {
			t.Fatalf("%v: %d clusters: the map is not dense", size, len(clusters))
		}
		type disc struct {
			x, y, r float64
			what    string
		}
		var discs []disc
		for _, c := range clusters {
			discs = append(discs, disc{c.x, c.y, c.radius + 2*m.scale, fmt.Sprintf("cluster of %d", c.n)})
			if f, n := m.countLabel(c); f.width(n) > 2*c.radius {
				t.Errorf("%v: the count %q is %.1f px wide, its disc %.1f", size, n, f.width(n), 2*c.radius)
			}
		}
		singles, _ := m.marks.layout()
		for _, s := range singles {
			if s.area > 0 {
				discs = append(discs, disc{s.x, s.y, (9 + 0.8) * m.scale, "ring " + s.id})
			} else {
				discs = append(discs, disc{s.x, s.y, dotRadius(s.best, m.scale) + 1.5*m.scale, "dot " + s.id})
			}
		}
		if size[0] >= DefaultWidth && len(singles) < 10 {
			t.Errorf("%v: %d incidents drawn alone: the test draws too few", size, len(singles))
		}
		for i, a := range discs {
			for _, b := range discs[i+1:] {
				if d := math.Hypot(a.x-b.x, a.y-b.y); d < a.r+b.r+2*m.scale {
					t.Errorf("%v: %s at (%.1f, %.1f) and %s at (%.1f, %.1f) overlap: %.1f px apart, radii %.1f and %.1f",
						size, a.what, a.x, a.y, b.what, b.x, b.y, d, a.r, b.r)
				}
			}
		}
		b, err := m.PNG()
		if err != nil {
			t.Fatal(err)
		}
		save(t, fmt.Sprintf("dense-%dx%d.png", size[0], size[1]), b)
	}
}

func TestCompactCounts(t *testing.T) {
	for _, tc := range []struct {
		n      int
		en, fr string
	}{
		{7, "7", "7"}, {999, "999", "999"}, {1000, "1K", "1\u00a0k"}, {1234, "1.2K", "1,2\u00a0k"},
		{9960, "10K", "10\u00a0k"}, {10912, "11K", "11\u00a0k"}, {123456, "123K", "123\u00a0k"},
		{999950, "1M", "1\u00a0M"}, {1250000, "1.3M", "1,3\u00a0M"},
	} {
		if en, fr := compactCount(tc.n, "en"), compactCount(tc.n, "fr"); en != tc.en || fr != tc.fr {
			t.Errorf("%d: %q and %q, want %q and %q", tc.n, en, fr, tc.en, tc.fr)
		}
	}
}
