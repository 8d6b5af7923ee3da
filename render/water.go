package render

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
)

// This file draws the basemap's water and towns (Natural Earth 1:10m, see
// package naturalearth) as the viewer's style does: lakes filled in the
// water colour, rivers in the river colour as wide as their scale rank,
// and town names where they hide no incident, no place of the gazetteer
// and no other label.

// riverColour is the colour of rivers and lake shores, light and dark, as
// the style's "river" colour.
var riverColour = themed{"#8fb3c8", "#3d6680"}

// town is a populated place of the basemap, in world coordinates.
type town struct {
	at            orb.Point
	name          string
	rank, minZoom float64 // population rank (14 the largest); the zoom it appears at
}

// ranked sets the rank and minzoom of a feature on its parts.
func ranked(parts []part, props geojson.Properties) []part {
	for i := range parts {
		parts[i].rank = props.MustFloat64("rank", 10)
		parts[i].minZoom = props.MustFloat64("minzoom", 0)
	}
	return parts
}

// appearing is the parts that appear at zoom z, as in the basemap tiles.
func appearing(parts []part, z int) []part {
	var out []part
	for _, p := range parts {
		if p.minZoom <= float64(z) {
			out = append(out, p)
		}
	}
	return out
}

func (b *Basemap) addTown(f *geojson.Feature) {
	p, ok := f.Geometry.(orb.Point)
	name := f.Properties.MustString("name", "")
	if !ok || name == "" {
		return
	}
	b.towns = append(b.towns, town{at: orb.Point{worldX(p[0]), worldY(p[1])}, name: name,
		rank: f.Properties.MustFloat64("rank", 0), minZoom: f.Properties.MustFloat64("minzoom", 99)})
}

// riverWidth is the width in pixels of a river of scale rank at zoom z:
// the style's line-width.
func riverWidth(rank, z float64) float64 {
	w := 0.7
	switch {
	case rank < 4:
		w = 1.8
	case rank < 6:
		w = 1.4
	case rank < 8:
		w = 1.0
	}
	return w * interpolate(z, [2]float64{3, 0.6}, [2]float64{10, 1.8})
}

// drawWater strokes the rivers and fills the lakes (over the rivers that
// cross them) in the water colour, with a shore in the river colour.
func (m *Map) drawWater(cv *canvas, lv *level) {
	river := hex(riverColour[0])
	if m.req.Theme == "dark" {
		river = hex(riverColour[1])
	}
	var p path
	for _, r := range lv.rivers {
		w := riverWidth(r.rank, m.v.zoom)
		m.eachLine([]part{r}, func(l orb.LineString) { p.stroke(l, w) })
	}
	cv.fill(&p, river)
	p.reset()
	var shore path
	m.eachPart(lv.lakes, func(ring orb.Ring) {
		if r := clip.Ring(m.v.within, ring); len(r) >= 3 {
			p.polygon(r)
			shore.stroke(append(r, r[0]), 1)
		}
	})
	cv.fill(&shore, river)
	cv.fill(&p, m.pal.water)
}

// townLabels places the names of the towns that appear at the map's zoom,
// largest first, centred on the town, where they overlap no mark, no
// label of the gazetteer (nor taken box), and no other town's name; a
// town that has a place of the gazetteer of its name, or one within a
// label's height, is left to the gazetteer's label.
func (m *Map) townLabels(labels []label, marks []rect, legend rect) []label {
	if m.r.base == nil {
		return nil
	}
	f := newFace(m.r.fonts.regular, math.Round(m.lay.labelSize*0.93))
	taken := append(slices.Clone(marks), legend)
	for _, l := range labels {
		taken = append(taken, l.box)
	}
	gazetteer := map[string]bool{}
	for _, p := range m.places {
		gazetteer[strings.ToLower(p.name)] = true
	}
	ts := slices.Clone(m.r.base.towns)
	slices.SortStableFunc(ts, func(a, b town) int { return cmp.Or(cmp.Compare(b.rank, a.rank), strings.Compare(a.name, b.name)) })
	inner := m.inner()
	var out []label
	for _, t := range ts {
		if t.minZoom > m.v.zoom || gazetteer[strings.ToLower(t.name)] {
			continue
		}
		x, y := m.v.pixel(orb.Point{lonOf(t.at[0]), latOf(t.at[1])})
		if m.nearPlace(x, y, f.height) {
			continue
		}
		name := f.known(t.name)
		w := f.width(name)
		box := rect{x - w/2, y - f.height/2, x + w/2, y + f.height/2}
		if _, ok := pick([]rect{box}, inner, taken, taken); !ok {
			continue
		}
		taken = append(taken, box)
		out = append(out, label{text: name, face: f, box: box})
	}
	return out
}

// nearPlace reports whether a place of the gazetteer is within d pixels.
func (m *Map) nearPlace(x, y, d float64) bool {
	for _, p := range m.places {
		if math.Hypot(p.x-x, p.y-y) < d {
			return true
		}
	}
	return false
}

// drawTownLabels writes the town names placed by townLabels, muted.
func (m *Map) drawTownLabels(cv *canvas, labels []label) {
	for _, l := range labels {
		cv.text(l.face, l.text, l.box.x0, l.box.y0+l.face.ascent, m.pal.muted, alpha(m.pal.halo, 0.85), int(math.Round(2*m.scale)))
	}
}
