package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomediumitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fonts are the Go fonts, bundled in the module: no system font and no
// download. A parsed font is safe for concurrent use; its faces are not, so
// each map makes its own.
type fonts struct {
	regular, medium, bold, italic *opentype.Font
}

func loadFonts() (*fonts, error) {
	var fs fonts
	for _, f := range []struct {
		dst *(*opentype.Font)
		ttf []byte
	}{{&fs.regular, goregular.TTF}, {&fs.medium, gomedium.TTF}, {&fs.bold, gobold.TTF}, {&fs.italic, gomediumitalic.TTF}} {
		parsed, err := opentype.Parse(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("render: font: %w", err)
		}
		*f.dst = parsed
	}
	return &fs, nil
}

// face is a font at one pixel size.
type face struct {
	f              font.Face
	ascent, height float64
}

func newFace(f *opentype.Font, px float64) face {
	ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil { // only for a size of 0 or less, which callers never ask for
		panic(err)
	}
	m := ff.Metrics()
	return face{f: ff, ascent: fix(m.Ascent), height: fix(m.Ascent + m.Descent)}
}

func fix(v fixed.Int26_6) float64 { return float64(v) / 64 }

// width is the advance of s in pixels.
func (fc face) width(s string) float64 { return fix(font.MeasureString(fc.f, s)) }

// known replaces the runes the font has no glyph for with '?', so that
// nothing is silently left out.
func (fc face) known(s string) string {
	return strings.Map(func(r rune) rune {
		if _, ok := fc.f.GlyphAdvance(r); !ok && r != ' ' {
			return '?'
		}
		return r
	}, s)
}

// ellipsize shortens s with "…" until it is at most w pixels wide.
func (fc face) ellipsize(s string, w float64) string {
	if fc.width(s) <= w {
		return s
	}
	runes := []rune(s)
	for n := len(runes) - 1; n > 0; n-- {
		if t := strings.TrimRight(string(runes[:n]), " ,·") + "…"; fc.width(t) <= w {
			return t
		}
	}
	return ""
}

// clean makes text from the data safe to draw: control and format
// characters (bidi overrides, zero-width joiners) go, runs of white space
// become one space, and it is cut to at most max runes.
func clean(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError, unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > max {
		out = strings.TrimSpace(string([]rune(out)[:max-1])) + "…"
	}
	return out
}

// text draws s with its baseline starting at (x, y) in colour c, over a
// halo r pixels wide in colour halo when r > 0. It returns the box drawn.
func (cv *canvas) text(fc face, s string, x, y float64, c, halo color.Color, r int) rect {
	s = fc.known(s)
	w := int(math.Ceil(fc.width(s)))
	pad := r + 1
	mask := image.NewAlpha(image.Rect(0, 0, w+2*pad, int(math.Ceil(fc.height))+2*pad))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: fc.f,
		Dot: fixed.Point26_6{X: fixed.I(pad), Y: fixed.Int26_6(math.Round((fc.ascent + float64(pad)) * 64))}}
	d.DrawString(s)
	x0, y0 := int(math.Round(x))-pad, int(math.Round(y-fc.ascent))-pad
	dst := mask.Bounds().Add(image.Pt(x0, y0))
	clipped := dst.Intersect(cv.clip)
	mp := clipped.Min.Sub(dst.Min)
	if r > 0 {
		draw.DrawMask(cv.img, clipped, image.NewUniform(halo), image.Point{}, dilate(mask, r), mp, draw.Over)
	}
	draw.DrawMask(cv.img, clipped, image.NewUniform(c), image.Point{}, mask, mp, draw.Over)
	return rect{float64(dst.Min.X), float64(dst.Min.Y), float64(dst.Max.X), float64(dst.Max.Y)}
}

// dilate grows a small glyph mask by r pixels (a disc), for halos.
func dilate(m *image.Alpha, r int) *image.Alpha {
	var offs []image.Point
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if dx*dx+dy*dy <= r*r+r {
				offs = append(offs, image.Pt(dx, dy))
			}
		}
	}
	b := m.Bounds()
	out := image.NewAlpha(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var v uint8
			for _, o := range offs {
				if p := image.Pt(x+o.X, y+o.Y); p.In(b) {
					v = max(v, m.Pix[m.PixOffset(p.X, p.Y)])
				}
			}
			out.Pix[out.PixOffset(x, y)] = v
		}
	}
	return out
}
