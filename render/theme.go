package render

import (
	"image/color"
	"math"
)

// palette is a theme's colours: those of the viewer's style (style.json)
// for the map, so that the PNG and the live map read alike, plus the
// panels around it.
type palette struct {
	water, land, coast, border        color.NRGBA
	halo, text, muted, country, place color.NRGBA
	panel, rule, count                color.NRGBA
	events                            map[string]color.NRGBA
	other                             color.NRGBA
}

func hex(s string) color.NRGBA {
	var v [3]uint8
	for i := range v {
		v[i] = uint8(unhex(s[1+2*i])<<4 | unhex(s[2+2*i]))
	}
	return color.NRGBA{v[0], v[1], v[2], 255}
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func alpha(c color.NRGBA, a float64) color.NRGBA {
	c.A = uint8(math.Round(a * 255))
	return c
}

func paletteOf(theme string) palette {
	if theme == "dark" {
		return palette{
			water: hex("#0e1a22"), land: hex("#222a31"), coast: hex("#4f6675"), border: hex("#7d6f7b"),
			halo: hex("#10161b"), text: hex("#e6e9ec"), muted: hex("#a3adb6"), country: hex("#b7a9b5"),
			place: hex("#d6dadf"), panel: hex("#10161b"), rule: hex("#2c363f"), count: hex("#10161b"),
			events: map[string]color.NRGBA{
				"battles": hex("#ff8a3d"), "explosions_remote_violence": hex("#f0b400"),
				"violence_against_civilians": hex("#ff5c85"), "protests": hex("#4fb3ff"),
				"riots": hex("#8fd0ff"), "strategic_developments": hex("#3ad29f"),
			},
			other: hex("#aaaaaa"),
		}
	}
	return palette{
		water: hex("#d7e3ea"), land: hex("#f4f1ea"), coast: hex("#8fa5b3"), border: hex("#a08f9e"),
		halo: hex("#ffffff"), text: hex("#2b2f33"), muted: hex("#5c656e"), country: hex("#6b5d69"),
		place: hex("#3b3f45"), panel: hex("#ffffff"), rule: hex("#d9dde1"), count: hex("#ffffff"),
		events: map[string]color.NRGBA{
			"battles": hex("#c65400"), "explosions_remote_violence": hex("#b07800"),
			"violence_against_civilians": hex("#c0264f"), "protests": hex("#0068a8"),
			"riots": hex("#3a8fc4"), "strategic_developments": hex("#00805c"),
		},
		other: hex("#666666"),
	}
}

func (p palette) event(t string) color.NRGBA {
	if c, ok := p.events[t]; ok {
		return c
	}
	return p.other
}

// holderColour is a base holder's colour, as in the viewer (labels.js).
func holderColour(holder string) color.NRGBA {
	switch holder {
	case "France":
		return hex("#2f5ec4")
	case "Mali":
		return hex("#1b9e4b")
	case "Burkina Faso":
		return hex("#c2185b")
	case "Niger":
		return hex("#e07b00")
	}
	h := 0
	for _, r := range holder {
		h = (h*31 + int(r)) % 360
	}
	return hsl(float64(h), 0.55, 0.45)
}

func hsl(h, s, l float64) color.NRGBA {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	u := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return color.NRGBA{u(r), u(g), u(b), 255}
}

// eventKinds counts the event types and "other".
const eventKinds = 7

// eventOrder is the order of event types in legends and of ties.
var eventOrder = [eventKinds - 1]string{"battles", "explosions_remote_violence", "violence_against_civilians",
	"protests", "riots", "strategic_developments"}

func eventIndex(t string) int {
	for i, e := range eventOrder {
		if e == t {
			return i
		}
	}
	return len(eventOrder)
}
