package render

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/vector"
)

// canvas draws anti-aliased shapes onto an RGBA image with one reused
// rasterizer, sized to each shape's bounds so that a small mark costs a
// small area, not the whole image.
type canvas struct {
	img  *image.RGBA
	clip image.Rectangle // drawing outside it is cut
	r    vector.Rasterizer
}

// path is a shape in image pixels: subpaths of lines and cubic curves.
// Subpaths wind as their points go; the rasterizer fills by non-zero
// winding, so a hole must wind against its outer ring.
type path struct {
	ops  []byte // 'M', 'L', 'C', 'Z'
	pts  []float32
	x0   float32
	y0   float32
	x1   float32
	y1   float32
	some bool
}

func (p *path) grow(x, y float32) {
	if !p.some {
		p.x0, p.y0, p.x1, p.y1, p.some = x, y, x, y, true
		return
	}
	p.x0, p.y0 = min(p.x0, x), min(p.y0, y)
	p.x1, p.y1 = max(p.x1, x), max(p.y1, y)
}

func (p *path) add(op byte, xy ...float64) {
	p.ops = append(p.ops, op)
	for i := 0; i+1 < len(xy); i += 2 {
		x, y := float32(xy[i]), float32(xy[i+1])
		p.pts = append(p.pts, x, y)
		p.grow(x, y)
	}
}

func (p *path) moveTo(x, y float64) { p.add('M', x, y) }
func (p *path) lineTo(x, y float64) { p.add('L', x, y) }
func (p *path) close()              { p.add('Z') }

func (p *path) reset() { p.ops, p.pts, p.some = p.ops[:0], p.pts[:0], false }

// kappa places cubic control points so that four curves make a circle.
const kappa = 0.5522847498

// circle adds a circle; reverse winds it the other way (a hole).
func (p *path) circle(cx, cy, r float64, reverse bool) {
	k := r * kappa
	s := 1.0
	if reverse {
		s = -1
	}
	p.moveTo(cx+r, cy)
	p.add('C', cx+r, cy+s*k, cx+k, cy+s*r, cx, cy+s*r)
	p.add('C', cx-k, cy+s*r, cx-r, cy+s*k, cx-r, cy)
	p.add('C', cx-r, cy-s*k, cx-k, cy-s*r, cx, cy-s*r)
	p.add('C', cx+k, cy-s*r, cx+r, cy-s*k, cx+r, cy)
	p.close()
}

// ring adds the outline of a circle, width w wide.
func (p *path) ring(cx, cy, r, w float64) {
	p.circle(cx, cy, r+w/2, false)
	p.circle(cx, cy, math.Max(r-w/2, 0), true)
}

// polygon adds a closed polyline.
func (p *path) polygon(ps []orb.Point) {
	for i, q := range ps {
		if i == 0 {
			p.moveTo(q[0], q[1])
		} else {
			p.lineTo(q[0], q[1])
		}
	}
	p.close()
}

// stroke adds a polyline w pixels wide as one quad per segment (all wound
// alike, so that overlaps at joins do not cancel out), with a square cap
// at each vertex for widths where a notch would show.
func (p *path) stroke(ps []orb.Point, w float64) {
	h := w / 2
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*h, dx/l*h
		p.moveTo(a[0]+nx, a[1]+ny)
		p.lineTo(b[0]+nx, b[1]+ny)
		p.lineTo(b[0]-nx, b[1]-ny)
		p.lineTo(a[0]-nx, a[1]-ny)
		p.close()
		if w >= 2.5 && i > 1 {
			// The round join turns the way the quads do: the rasterizer
			// sums signed areas, and a circle turning the other way
			// cancelled the overlap of two segments, a gap at each vertex.
			p.circle(a[0], a[1], h, true)
		}
	}
}

// dashed adds a dashed polyline: on pixels drawn, off pixels skipped.
func (p *path) dashed(ps []orb.Point, w, on, off float64) {
	lengths := [2]float64{on, off}
	var dash []orb.Point
	state, left := 0, on // state 0 draws, 1 skips; left is what remains of it
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		l := math.Hypot(b[0]-a[0], b[1]-a[1])
		at := func(t float64) orb.Point { return orb.Point{a[0] + (b[0]-a[0])*t/l, a[1] + (b[1]-a[1])*t/l} }
		for t := 0.0; t < l; {
			step := math.Min(left, l-t)
			if state == 0 {
				if len(dash) == 0 {
					dash = append(dash, at(t))
				}
				dash = append(dash, at(t+step))
			}
			t, left = t+step, left-step
			if left <= 0 {
				if state == 0 {
					p.stroke(dash, w)
					dash = dash[:0]
				}
				state = 1 - state
				left = lengths[state]
			}
		}
	}
	if len(dash) > 1 {
		p.stroke(dash, w)
	}
}

// fill draws p in colour c.
func (cv *canvas) fill(p *path, c color.Color) {
	if !p.some {
		return
	}
	r := image.Rect(int(math.Floor(float64(p.x0))), int(math.Floor(float64(p.y0))),
		int(math.Ceil(float64(p.x1)))+1, int(math.Ceil(float64(p.y1)))+1).Intersect(cv.clip)
	if r.Empty() {
		return
	}
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	cv.r.Reset(r.Dx(), r.Dy())
	j := 0
	for _, op := range p.ops {
		switch op {
		case 'M':
			cv.r.MoveTo(p.pts[j]-ox, p.pts[j+1]-oy)
			j += 2
		case 'L':
			cv.r.LineTo(p.pts[j]-ox, p.pts[j+1]-oy)
			j += 2
		case 'C':
			cv.r.CubeTo(p.pts[j]-ox, p.pts[j+1]-oy, p.pts[j+2]-ox, p.pts[j+3]-oy, p.pts[j+4]-ox, p.pts[j+5]-oy)
			j += 6
		case 'Z':
			cv.r.ClosePath()
		}
	}
	cv.r.Draw(cv.img, r, image.NewUniform(c), image.Point{})
}

// rectangle fills an axis-aligned rectangle, rounded to whole pixels
// (image/draw fills it without a rasterizer).
func (cv *canvas) rectangle(r rect, c color.Color) {
	ir := image.Rect(int(math.Round(r.x0)), int(math.Round(r.y0)), int(math.Round(r.x1)), int(math.Round(r.y1)))
	draw.Draw(cv.img, ir.Intersect(cv.clip), image.NewUniform(c), image.Point{}, draw.Over)
}

// disc fills a circle.
func (cv *canvas) disc(x, y, r float64, c color.Color) {
	var p path
	p.circle(x, y, r, false)
	cv.fill(&p, c)
}
