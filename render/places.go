package render

import (
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// placeMark is a place of the gazetteer in the map area.
type placeMark struct {
	id, name, kind string
	holder         string // of a base at the end of the window; "" otherwise
	x, y           float64
}

// label is a text placed on the map; box is its extent, text starts at
// box.x0 with its top at box.y0.
type label struct {
	text string
	face face
	box  rect
}

// placeLabels places the name of each place beside its marker (right,
// left, above or below), in priority order, where it overlaps no other
// label nor taken box, and no mark when it can. A label that finds no room
// is left out; the marker stays.
func (m *Map) placeLabels(marks, taken []rect) []label {
	taken = slices.Clone(taken)
	regular := newFace(m.r.fonts.medium, m.lay.labelSize)
	bold := newFace(m.r.fonts.bold, m.lay.labelSize)
	inner := m.inner()
	var out []label
	for _, p := range m.sortedPlaces() {
		f, text := regular, p.name
		if p.holder != "" {
			f, text = bold, p.name+" · "+p.holder
		}
		w, h, o := f.width(f.known(text)), f.height, clearance(p, slices.Concat(marks, taken), 8*m.scale)
		candidates := []rect{
			{p.x + o, p.y - h/2, p.x + o + w, p.y + h/2},
			{p.x - o - w, p.y - h/2, p.x - o, p.y + h/2},
			{p.x - w/2, p.y - o - h, p.x + w/2, p.y - o},
			{p.x - w/2, p.y + o, p.x + w/2, p.y + o + h},
		}
		if box, ok := pick(candidates, inner, slices.Concat(taken, marks), taken); ok {
			out = append(out, label{text: text, face: f, box: box})
			taken = append(taken, box)
		}
	}
	return out
}

// clearance is how far a label keeps from its place's point: past its
// marker and past any mark drawn on the place (an incident there).
func clearance(p placeMark, marks []rect, min float64) float64 {
	c := min
	for _, b := range marks {
		if p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1 {
			c = math.Max(c, math.Max(p.x-b.x0, b.x1-p.x)+min/3)
		}
	}
	return c
}

// inner is the map area less a small margin.
func (m *Map) inner() rect {
	a, g := m.lay.area, 4*m.scale
	return rect{a.x0 + g, a.y0 + g, a.x1 - g, a.y1 - g}
}

// pick returns the first candidate inside within that overlaps none of
// strict, else the first that overlaps none of loose.
func pick(candidates []rect, within rect, strict, loose []rect) (rect, bool) {
	for _, avoid := range [][]rect{strict, loose} {
		for _, c := range candidates {
			if c.x0 >= within.x0 && c.y0 >= within.y0 && c.x1 <= within.x1 && c.y1 <= within.y1 && !hits(c, avoid) {
				return c, true
			}
		}
	}
	return rect{}, false
}

func hits(r rect, boxes []rect) bool {
	for _, b := range boxes {
		if r.overlaps(b) {
			return true
		}
	}
	return false
}

// drawPlaceMarkers draws a small dot for each place, and a diamond in the
// holder's colour for each base.
func (m *Map) drawPlaceMarkers(cv *canvas) {
	s := m.scale
	for _, p := range m.places {
		if p.holder == "" {
			cv.disc(p.x, p.y, 3.4*s+1.2*s, m.pal.halo)
			cv.disc(p.x, p.y, 3.4*s, m.pal.place)
			continue
		}
		diamond := func(r float64) *path {
			var d path
			d.polygon([]orb.Point{{p.x, p.y - r}, {p.x + r, p.y}, {p.x, p.y + r}, {p.x - r, p.y}})
			return &d
		}
		cv.fill(diamond(7.5*s+2*s), m.pal.halo)
		cv.fill(diamond(7.5*s), holderColour(p.holder))
	}
}

// drawCountryLabels writes the names of the countries whose label point
// is in the area at this zoom, in capitals, where they hide nothing.
func (m *Map) drawCountryLabels(cv *canvas, labels []label, marks []rect, legend rect) {
	if m.r.base == nil {
		return
	}
	f := newFace(m.r.fonts.italic, math.Round(13*textScale(m.scale)))
	taken := append(slices.Clone(marks), legend)
	for _, l := range labels {
		taken = append(taken, l.box)
	}
	cls := slices.Clone(m.r.base.labels)
	slices.SortStableFunc(cls, func(a, b countryLabel) int {
		if a.minZoom != b.minZoom {
			return int(math.Copysign(1, a.minZoom-b.minZoom))
		}
		return strings.Compare(a.en, b.en)
	})
	inner := m.inner()
	for _, c := range cls {
		if c.minZoom > m.v.zoom+0.5 {
			continue
		}
		name := c.en
		if m.req.Lang == "fr" && c.fr != "" {
			name = c.fr
		}
		name = f.known(strings.ToUpper(name))
		x, y := m.v.pixel(orb.Point{lonOf(c.at[0]), latOf(c.at[1])})
		w := f.width(name)
		box := rect{x - w/2, y - f.height/2, x + w/2, y + f.height/2}
		if _, ok := pick([]rect{box}, inner, taken, taken); !ok {
			continue
		}
		taken = append(taken, box)
		cv.text(f, name, box.x0, box.y0+f.ascent, m.pal.country, alpha(m.pal.halo, 0.85), int(math.Round(2*m.scale)))
	}
}
