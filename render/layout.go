package render

import (
	"math"
	"strings"
)

// layout is where the parts of a map go: a header with the headline (and
// a detail line), the map area, and a footer with the credit line.
type layout struct {
	width, height int
	pad           float64
	header        rect
	area          rect
	footer        rect
	headSize      float64 // font sizes in pixels
	detailSize    float64
	footSize      float64
	labelSize     float64
	legendSize    float64
	detail        bool
}

// newLayout lays out a w x h map at scale s (1 for 1200x630). Text
// shrinks less than the rest, so that it stays legible on small maps.
func newLayout(w, h int, s float64, detail bool) layout {
	ts := textScale(s)
	l := layout{width: w, height: h, pad: math.Round(20 * s), headSize: math.Round(30 * ts),
		detailSize: math.Round(17 * ts), footSize: math.Round(13 * ts), labelSize: math.Round(14 * ts),
		legendSize: math.Round(14 * ts), detail: detail}
	hh := l.pad*0.8 + l.headSize*1.2 + l.pad*0.7
	if detail {
		hh += l.detailSize * 1.4
	}
	fh := l.footSize*1.3 + l.pad
	W, H := float64(w), float64(h)
	l.header = rect{0, 0, W, math.Round(hh)}
	l.footer = rect{0, math.Round(H - fh), W, H}
	l.area = rect{0, l.header.y1, W, l.footer.y0}
	return l
}

// textScale is the scale of text on a map of scale s.
func textScale(s float64) float64 { return math.Max(s, 0.75) }

// drawHeader draws the headline (shrunk, then shortened, to fit the width)
// and the detail line.
func (m *Map) drawHeader(cv *canvas) {
	l, p := m.lay, m.pal
	cv.rectangle(l.header, p.panel)
	cv.rectangle(rect{0, l.header.y1 - math.Max(1, m.scale), l.header.x1, l.header.y1}, p.rule)
	head, detail := m.headline()
	room := float64(l.width) - 2*l.pad
	size := l.headSize
	f := newFace(m.r.fonts.bold, size)
	for f.width(head) > room && size > l.headSize*0.75 {
		size--
		f = newFace(m.r.fonts.bold, size)
	}
	y := l.pad*0.8 + f.ascent
	cv.text(f, f.ellipsize(head, room), l.pad, y, p.text, nil, 0)
	if l.detail && detail != "" {
		d := newFace(m.r.fonts.regular, l.detailSize)
		cv.text(d, d.ellipsize(detail, room), l.pad, y+l.detailSize*1.45, p.muted, nil, 0)
	}
}

// drawFooter draws the credit line: the publishers of the sources on the
// left (as many as fit, then how many more), the map's own credit on the
// right.
func (m *Map) drawFooter(cv *canvas) {
	l, p := m.lay, m.pal
	cv.rectangle(l.footer, p.panel)
	cv.rectangle(rect{0, l.footer.y0, l.footer.x1, l.footer.y0 + math.Max(1, m.scale)}, p.rule)
	f := newFace(m.r.fonts.regular, l.footSize)
	y := l.footer.y0 + l.pad/2 + f.ascent
	credit := m.w.mapCredit
	cw := f.width(credit)
	room := float64(l.width) - 2*l.pad - cw - 3*l.footSize
	if room < float64(l.width)*0.45 { // too narrow for both: sources first
		credit, cw, room = "", 0, float64(l.width)-2*l.pad
	}
	cv.text(f, f.ellipsize(m.sourcesLine(f, room), room), l.pad, y, p.muted, nil, 0)
	if credit != "" {
		cv.text(f, credit, float64(l.width)-l.pad-cw, y, p.muted, nil, 0)
	}
}

// sourcesLine names as many publishers as fit in room pixels, and how
// many more there are.
func (m *Map) sourcesLine(f face, room float64) string {
	if m.total == 0 {
		return m.w.noSources
	}
	line := ""
	for n := len(m.publishers); n >= 1; n-- {
		line = m.w.sources(strings.Join(m.publishers[:n], ", "))
		if rest := m.total - n; rest > 0 {
			line += m.w.more(rest)
		}
		if f.width(line) <= room {
			return line
		}
	}
	return line
}
