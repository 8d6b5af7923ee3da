package render

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

type swatch int

const (
	swatchEvent swatch = iota
	swatchArea
	swatchGroup
	swatchSize
	swatchBase
	swatchNone
)

// legendItem is one row of the legend.
type legendItem struct {
	kind  swatch
	event string
	text  string
}

// legendItems lists what the map shows: the event types present (in view,
// clustered or not), then the kinds of mark used.
func (m *Map) legendItems(singles []mark, clusters []cluster) []legendItem {
	var items []legendItem
	for i, n := range m.marks.types {
		if n == 0 {
			continue
		}
		ev, text := "other", "Other"
		if i < len(eventOrder) {
			ev, text = eventOrder[i], m.w.event(eventOrder[i])
		}
		items = append(items, legendItem{kind: swatchEvent, event: ev, text: text})
	}
	if m.marks.n == 0 {
		items = append(items, legendItem{kind: swatchNone, text: m.w.noIncident})
	}
	var area, sized bool
	for _, s := range singles {
		area = area || s.area > 0 || s.shape != nil
		sized = sized || (s.area == 0 && s.shape == nil && s.best > 0)
	}
	if area {
		items = append(items, legendItem{kind: swatchArea, text: m.w.legendArea})
	}
	if len(clusters) > 0 {
		items = append(items, legendItem{kind: swatchGroup, text: m.w.legendGroup})
	}
	if sized {
		items = append(items, legendItem{kind: swatchSize, text: m.w.legendSize})
	}
	for _, p := range m.places {
		if p.holder != "" {
			items = append(items, legendItem{kind: swatchBase, text: m.w.legendBase})
			break
		}
	}
	return items
}

// legendMetrics are the sizes of the legend box.
func (m *Map) legendMetrics() (f face, row, sw, pad float64) {
	f = newFace(m.r.fonts.regular, m.lay.legendSize)
	ts := textScale(m.scale)
	return f, math.Round(m.lay.legendSize * 1.65), math.Round(40 * ts), math.Round(10 * ts)
}

// placeLegend sizes the legend box, keeping the first rows that fit in
// two thirds of the map area's height, and puts it in the corner of the
// area where it hides the fewest marks. It returns the box and its rows.
func (m *Map) placeLegend(items []legendItem, marks []rect) (rect, []legendItem) {
	f, row, sw, pad := m.legendMetrics()
	a := m.lay.area
	if a.w() < 700 || a.h() < 360 { // small: the event types alone
		items = slices.DeleteFunc(slices.Clone(items), func(it legendItem) bool {
			return it.kind != swatchEvent && it.kind != swatchNone
		})
	}
	for len(items) > 1 && 2*pad+float64(len(items))*row-(row-f.height) > a.h()/2 {
		items = items[:len(items)-1]
	}
	width := 0.0
	for _, it := range items {
		width = math.Max(width, f.width(f.known(it.text)))
	}
	w := math.Ceil(2*pad + sw + math.Min(width, a.w()*0.45))
	h := math.Ceil(2*pad + float64(len(items))*row - (row - f.height))
	g := math.Round(12 * m.scale)
	corners := []rect{
		{a.x0 + g, a.y1 - g - h, a.x0 + g + w, a.y1 - g},
		{a.x0 + g, a.y0 + g, a.x0 + g + w, a.y0 + g + h},
		{a.x1 - g - w, a.y0 + g, a.x1 - g, a.y0 + g + h},
		{a.x1 - g - w, a.y1 - g - h, a.x1 - g, a.y1 - g},
	}
	best, score := corners[0], math.MaxInt
	for _, c := range corners {
		n := 0
		for _, b := range marks {
			if c.overlaps(b) {
				n++
			}
		}
		if n < score {
			best, score = c, n
		}
	}
	return best, items
}

// drawLegend draws the rows that fit in box.
func (m *Map) drawLegend(cv *canvas, items []legendItem, box rect) {
	f, row, sw, pad := m.legendMetrics()
	s, p := textScale(m.scale), m.pal
	cv.rectangle(rect{box.x0 - 1, box.y0 - 1, box.x1 + 1, box.y1 + 1}, alpha(p.rule, 0.9))
	cv.rectangle(box, alpha(p.panel, 0.93))
	for i, it := range items {
		cy := box.y0 + pad + f.height/2 + float64(i)*row
		if cy+f.height/2 > box.y1 {
			break
		}
		cx := box.x0 + pad + sw/2
		switch it.kind {
		case swatchEvent:
			cv.disc(cx, cy, 7*s, p.event(it.event))
		case swatchArea:
			var a path
			a.circle(cx, cy, 9*s, false)
			cv.fill(&a, alpha(p.muted, 0.16))
			a.reset()
			a.ring(cx, cy, 9*s, 1.6*s)
			cv.fill(&a, alpha(p.muted, 0.8))
		case swatchGroup:
			cv.disc(cx, cy, 10*s, alpha(p.muted, 0.9))
			n := newFace(m.r.fonts.bold, math.Round(10*s))
			cv.text(n, "12", cx-n.width("12")/2, cy+n.ascent*0.36, p.count, nil, 0)
		case swatchSize:
			for j, r := range []float64{3, 5, 7.5} {
				cv.disc(cx-sw/2+[]float64{4, 13, 27}[j]*s, cy, r*s, p.muted)
			}
		case swatchBase:
			var d path
			d.polygon([]orb.Point{{cx, cy - 7*s}, {cx + 7*s, cy}, {cx, cy + 7*s}, {cx - 7*s, cy}})
			cv.fill(&d, p.muted)
		}
		x := box.x0 + pad + sw
		if it.kind == swatchNone {
			x = box.x0 + pad
		}
		cv.text(f, f.ellipsize(f.known(it.text), box.x1-pad-x), x, cy-f.height/2+f.ascent, p.text, nil, 0)
	}
}

// drawScaleBar draws a bar of a round distance near the bottom corner of
// the area that the legend leaves free.
func (m *Map) drawScaleBar(cv *canvas, legend rect) {
	a, s := m.lay.area, m.scale
	mpp := m.v.metresPerPixel(m.v.centre()[1])
	target := 110 * s * mpp
	step := math.Pow(10, math.Floor(math.Log10(target)))
	for _, k := range []float64{5, 2, 1} {
		if k*step <= target {
			step *= k
			break
		}
	}
	px := step / mpp
	g := math.Round(12 * s)
	x1, y := a.x1-g, a.y1-g-3*s
	if legend.x1 > a.x1-g-px-1 && legend.y1 > a.y1-g-30*s {
		x1 = a.x0 + g + px
	}
	text := fmt.Sprintf("%g km", step/1000)
	if step < 1000 {
		text = fmt.Sprintf("%g m", step)
	}
	var bar path
	bar.stroke([]orb.Point{{x1 - px, y - 5*s}, {x1 - px, y}, {x1, y}, {x1, y - 5*s}}, 2*s)
	var halo path
	halo.stroke([]orb.Point{{x1 - px, y - 5*s}, {x1 - px, y}, {x1, y}, {x1, y - 5*s}}, 5*s)
	cv.fill(&halo, alpha(m.pal.halo, 0.8))
	cv.fill(&bar, m.pal.text)
	f := newFace(m.r.fonts.medium, math.Round(12*textScale(s)))
	cv.text(f, text, x1-px/2-f.width(text)/2, y-7*s, m.pal.text, alpha(m.pal.halo, 0.8), int(math.Round(2*s)))
}
