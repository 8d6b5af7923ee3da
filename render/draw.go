package render

import (
	"image"
	"image/color"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// PNG draws the map and encodes it. The same map gives the same bytes.
func (m *Map) PNG() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, m.req.Width, m.req.Height))
	a := m.lay.area
	cv := &canvas{img: img, clip: image.Rect(int(a.x0), int(a.y0), int(a.x1), int(a.y1))}
	m.drawBasemap(cv)
	singles, clusters := m.marks.layout()
	for i := range singles {
		singles[i].radius = dotRadius(singles[i].best, m.scale)
	}
	slices.SortStableFunc(singles, func(a, b mark) int { // big under small, then by id
		if a.radius != b.radius {
			return int(math.Copysign(1, b.radius-a.radius))
		}
		return strings.Compare(a.id, b.id)
	})
	soft, hard := m.obstacles(singles, clusters)
	marks := slices.Concat(soft, hard)
	items := m.legendItems(singles, clusters)
	legend, items := m.placeLegend(items, marks)
	labels := m.placeLabels(soft, append(hard, legend))
	towns := m.townLabels(labels, marks, legend) // water.go
	m.drawTownLabels(cv, towns)
	m.drawCountryLabels(cv, append(labels, towns...), marks, legend)
	m.drawPlaceMarkers(cv) // under the marks: a base never hides an incident
	m.drawAreas(cv, singles)
	m.drawClusters(cv, clusters)
	m.drawDots(cv, singles)
	for _, l := range labels {
		cv.text(l.face, l.text, l.box.x0, l.box.y0+l.face.ascent, m.pal.text, m.pal.halo, int(math.Round(2*m.scale)))
	}
	m.drawScaleBar(cv, legend)
	m.drawLegend(cv, items, legend)
	cv.clip = img.Bounds()
	m.drawHeader(cv)
	m.drawFooter(cv)
	return encodePNG(img)
}

// drawBasemap fills the water, the land, and strokes the coastline and
// the (dashed) borders, on each world copy the area shows.
func (m *Map) drawBasemap(cv *canvas) {
	cv.rectangle(m.lay.area, m.pal.water)
	if m.r.base == nil {
		cv.rectangle(m.lay.area, m.pal.land)
		return
	}
	lv := m.r.base.level(m.v.zoom)
	var p path
	m.eachPart(lv.land, func(ring orb.Ring) {
		for i := 1; i < len(ring); i++ { // a ring across the antimeridian goes on past it
			ring[i][0] -= math.Round((ring[i][0]-ring[i-1][0])/m.v.world) * m.v.world
		}
		if r := clip.Ring(m.v.within, ring); len(r) >= 3 {
			p.polygon(r)
		}
	})
	cv.fill(&p, m.pal.land)
	m.drawWater(cv, lv) // water.go
	width := func(lo, hi float64) float64 { return interpolate(m.v.zoom, [2]float64{0, lo}, [2]float64{8, hi}) }
	p.reset()
	m.eachLine(lv.coast, func(l orb.LineString) { p.stroke(l, width(0.5, 1.4)) })
	cv.fill(&p, m.pal.coast)
	p.reset()
	w := width(0.8, 1.8)
	m.eachLine(lv.border, func(l orb.LineString) { p.dashed(l, w, 3*w+2, 2*w+1) })
	cv.fill(&p, m.pal.border)
}

// eachPart calls fn with every ring or line of parts that meets the area,
// projected to pixels, once per world copy.
func (m *Map) eachPart(parts []part, fn func(orb.Ring)) {
	v := m.v
	for _, off := range v.copies {
		view := orb.Bound{
			Min: orb.Point{(v.within.Min[0] - v.ox - off) / v.world, (v.within.Min[1] - v.oy) / v.world},
			Max: orb.Point{(v.within.Max[0] - v.ox - off) / v.world, (v.within.Max[1] - v.oy) / v.world},
		}
		for _, pt := range parts {
			if !pt.bound.Intersects(view) {
				continue
			}
			for _, r := range pt.rings {
				px := make(orb.Ring, len(r))
				for i, q := range r {
					px[i] = orb.Point{v.ox + off + q[0]*v.world, v.oy + q[1]*v.world}
				}
				fn(px)
			}
		}
	}
}

// eachLine calls fn with the visible pieces of lines, cut where a line
// jumps across the antimeridian (which would otherwise draw a stroke
// across the whole world).
func (m *Map) eachLine(parts []part, fn func(orb.LineString)) {
	m.eachPart(parts, func(line orb.Ring) {
		start := 0
		for i := 1; i <= len(line); i++ {
			if i < len(line) && math.Abs(line[i][0]-line[i-1][0]) < m.v.world/2 {
				continue
			}
			for _, l := range clip.LineString(m.v.within, orb.LineString(line[start:i])) {
				fn(l)
			}
			start = i
		}
	})
}

// obstacles are the boxes of the marks, which labels avoid: soft ones
// (dots, place markers) when they can, hard ones (clusters, whose count
// a label would hide) always.
func (m *Map) obstacles(singles []mark, clusters []cluster) (soft, hard []rect) {
	box := func(x, y, r float64) rect { return rect{x - r, y - r, x + r, y + r} }
	for _, s := range singles {
		if s.area == 0 && s.shape == nil {
			soft = append(soft, box(s.x, s.y, s.radius))
		}
	}
	for _, p := range m.places {
		soft = append(soft, box(p.x, p.y, 4*m.scale))
	}
	for _, c := range clusters {
		hard = append(hard, box(c.x, c.y, c.radius))
	}
	return soft, hard
}

// drawAreas draws the incidents located no better than a place's
// surroundings as the translucent area they may lie in, not as a dot, and
// incidents with a shape as that shape.
func (m *Map) drawAreas(cv *canvas, singles []mark) {
	for _, s := range singles {
		c := m.pal.event(s.event)
		if s.shape != nil {
			m.drawShape(cv, s.shape, c)
			continue
		}
		if s.area == 0 {
			continue
		}
		r := math.Max(s.area, 9*m.scale) // around a base's diamond, if any
		var p path
		p.circle(s.x, s.y, r, false)
		cv.fill(&p, alpha(c, 0.16))
		p.reset()
		p.ring(s.x, s.y, r, 1.6*m.scale)
		cv.fill(&p, alpha(c, 0.8))
	}
}

func (m *Map) drawShape(cv *canvas, g orb.Geometry, c color.NRGBA) {
	var fill, line path
	project := func(ps []orb.Point) orb.Ring {
		out := make(orb.Ring, len(ps))
		for i, q := range ps {
			out[i][0], out[i][1] = m.v.pixel(q)
		}
		return out
	}
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon:
			for _, r := range g {
				if pr := clip.Ring(m.v.within, project(r)); len(pr) >= 3 {
					fill.polygon(pr)
					line.stroke(pr, 1.6*m.scale)
				}
			}
		case orb.MultiPolygon:
			for _, p := range g {
				walk(p)
			}
		case orb.LineString:
			for _, l := range clip.LineString(m.v.within, orb.LineString(project(g))) {
				line.stroke(l, 2.5*m.scale)
			}
		case orb.MultiLineString:
			for _, l := range g {
				walk(l)
			}
		case orb.MultiPoint:
			for _, q := range g {
				x, y := m.v.pixel(q)
				line.circle(x, y, 4*m.scale, false)
			}
		case orb.Collection:
			for _, h := range g {
				walk(h)
			}
		}
	}
	walk(g)
	cv.fill(&fill, alpha(c, 0.16))
	cv.fill(&line, alpha(c, 0.85))
}

func (m *Map) drawClusters(cv *canvas, clusters []cluster) {
	for _, c := range clusters {
		cv.disc(c.x, c.y, c.radius+2*m.scale, m.pal.halo)
		cv.disc(c.x, c.y, c.radius, alpha(m.pal.event(c.event), 0.9))
		f, n := m.countLabel(c)
		cv.text(f, n, c.x-f.width(n)/2, c.y+f.ascent*0.36, m.pal.count, nil, 0)
	}
}

func (m *Map) drawDots(cv *canvas, singles []mark) {
	for _, s := range singles {
		if s.area > 0 || s.shape != nil {
			continue
		}
		cv.disc(s.x, s.y, s.radius+1.5*m.scale, m.pal.halo)
		cv.disc(s.x, s.y, s.radius, m.pal.event(s.event))
	}
}
