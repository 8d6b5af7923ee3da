package render

import (
	"bytes"
	"cmp"
	"image"
	"image/color"
	"image/png"
	"slices"
)

// encodePNG writes img as a PNG of 256 colours at most: a map is flat
// colours plus their anti-aliased edges, so its 256 most frequent colours
// keep it as it was to the eye, at half the bytes or less of a true-colour
// PNG (the still map of an embed is its largest download). Each other
// colour (an edge pixel) becomes the nearest of those.
func encodePNG(img *image.RGBA) ([]byte, error) {
	counts := map[uint32]int{}
	pix := img.Pix
	for i := 0; i+3 < len(pix); i += 4 {
		counts[key(pix[i:i+4])]++
	}
	keys := make([]uint32, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b uint32) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	palette := make(color.Palette, 0, 256)
	index := make(map[uint32]uint8, len(keys))
	for i, k := range keys[:min(len(keys), 256)] {
		palette = append(palette, rgba(k))
		index[k] = uint8(i)
	}
	for _, k := range keys[len(palette):] {
		index[k] = nearest(palette, rgba(k))
	}
	out := image.NewPaletted(img.Bounds(), palette)
	for i, j := 0, 0; i+3 < len(pix); i, j = i+4, j+1 {
		out.Pix[j] = index[key(pix[i:i+4])]
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func key(p []uint8) uint32 {
	return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
}

func rgba(k uint32) color.RGBA {
	return color.RGBA{uint8(k >> 24), uint8(k >> 16), uint8(k >> 8), uint8(k)}
}

// nearest is the index of the colour of palette closest to c.
func nearest(palette color.Palette, c color.RGBA) uint8 {
	best, at := -1, 0
	for i, p := range palette {
		q := p.(color.RGBA)
		d := sq(int(q.R)-int(c.R)) + sq(int(q.G)-int(c.G)) + sq(int(q.B)-int(c.B)) + sq(int(q.A)-int(c.A))
		if best < 0 || d < best {
			best, at = d, i
		}
	}
	return uint8(at)
}

func sq(x int) int { return x * x }
