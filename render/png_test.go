package render

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// A map's PNG has 256 colours at most: its most frequent colours exactly,
// every other one as the nearest of those.
func TestPNGKeepsTheMostFrequentColours(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	land, water := color.RGBA{244, 241, 234, 255}, color.RGBA{215, 227, 234, 255}
	for y := range 30 {
		for x := range 40 {
			c := land
			if x >= 20 {
				c = water
			}
			if y == 0 { // a row of 40 colours seen once each, next to land
				c = color.RGBA{uint8(200 + x), 241, 234, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	for i := range 300 { // more colours than a palette holds
		img.SetRGBA(i%40, 1+i/40, color.RGBA{uint8(i), uint8(i >> 8), 9, 255})
	}
	b, err := encodePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	out, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := out.(*image.Paletted)
	if !ok || len(p.Palette) > 256 || p.Bounds() != img.Bounds() {
		t.Fatalf("decoded %T with %d colours, bounds %v", out, len(p.Palette), out.Bounds())
	}
	if got := color.RGBAModel.Convert(p.At(5, 20)); got != land {
		t.Errorf("land reads %v", got)
	}
	if got := color.RGBAModel.Convert(p.At(30, 20)); got != water {
		t.Errorf("water reads %v", got)
	}
}
