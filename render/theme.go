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

// themed is a colour in the light and the dark theme, side by side.
type themed [2]string

// eventTypes gives each ACLED event type its colour in both themes and
// its name in both languages, as the viewer has them.
var eventTypes = map[string]struct {
	colour themed
	name   translated
}{
	"battles":                    {themed{"#c65400", "#ff8a3d"}, translated{"Battles", "Combats"}},
	"explosions_remote_violence": {themed{"#b07800", "#f0b400"}, translated{"Explosions and remote violence", "Explosions et violences à distance"}},
	"violence_against_civilians": {themed{"#c0264f", "#ff5c85"}, translated{"Violence against civilians", "Violences contre les civils"}},
	"protests":                   {themed{"#0068a8", "#4fb3ff"}, translated{"Protests", "Manifestations"}},
	"riots":                      {themed{"#3a8fc4", "#8fd0ff"}, translated{"Riots", "Émeutes"}},
	"strategic_developments":     {themed{"#00805c", "#3ad29f"}, translated{"Strategic developments", "Développements stratégiques"}},
}

// themeColours gives each other colour of palette in both themes.
var themeColours = struct {
	water, land, coast, border        themed
	halo, text, muted, country, place themed
	panel, rule, count                themed
	other                             themed
}{
	water: themed{"#d7e3ea", "#0e1a22"}, land: themed{"#f4f1ea", "#222a31"},
	coast: themed{"#8fa5b3", "#4f6675"}, border: themed{"#a08f9e", "#7d6f7b"},
	halo: themed{"#ffffff", "#10161b"}, text: themed{"#2b2f33", "#e6e9ec"}, muted: themed{"#5c656e", "#a3adb6"},
	country: themed{"#6b5d69", "#b7a9b5"}, place: themed{"#3b3f45", "#d6dadf"},
	panel: themed{"#ffffff", "#10161b"}, rule: themed{"#d9dde1", "#2c363f"}, count: themed{"#ffffff", "#10161b"},
	other: themed{"#666666", "#aaaaaa"},
}

// paletteOf returns the palette of theme: "dark", or else light.
func paletteOf(theme string) palette {
	i := 0
	if theme == "dark" {
		i = 1
	}
	c := themeColours
	events := make(map[string]color.NRGBA, len(eventTypes))
	for t, e := range eventTypes {
		events[t] = hex(e.colour[i])
	}
	return palette{
		water: hex(c.water[i]), land: hex(c.land[i]), coast: hex(c.coast[i]), border: hex(c.border[i]),
		halo: hex(c.halo[i]), text: hex(c.text[i]), muted: hex(c.muted[i]), country: hex(c.country[i]),
		place: hex(c.place[i]), panel: hex(c.panel[i]), rule: hex(c.rule[i]), count: hex(c.count[i]),
		events: events, other: hex(c.other[i]),
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
