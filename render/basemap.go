package render

import (
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

// Basemap is the land, coastline, borders and country labels of a static
// map, with the rivers, lakes and towns of West and Central Africa, from
// the same Natural Earth GeoJSON as the basemap tiles (each feature names
// its layer in the "layer" property: land, coastline, borders,
// country_labels, rivers, lakes, towns). Geometries are kept in world coordinates, and
// simplified once per zoom level on first use (half a pixel of tolerance),
// so that drawing a map only scales, clips and fills. A Basemap is safe for
// concurrent use.
type Basemap struct {
	land   []part // polygons
	coast  []part // lines
	border []part // lines
	labels []countryLabel
	lakes  []part // polygons
	rivers []part // lines, with their rank and minzoom
	towns  []town
	names  map[string][2]string // ISO alpha-2 -> English, French name
	levels [MaxZoom + 1]struct {
		once sync.Once
		l    *level
	}
}

// part is one polygon or line in world coordinates, with its bound, and
// for water its scale rank (0 the largest) and the zoom it appears at.
type part struct {
	rings         [][]orb.Point // a polygon's rings, or a single line
	bound         orb.Bound
	rank, minZoom float64
}

type countryLabel struct {
	at      orb.Point // world coordinates
	en, fr  string
	minZoom float64
}

// level is the basemap simplified for one zoom level, with the water
// that appears by then.
type level struct{ land, coast, border, lakes, rivers []part }

// NewBasemap prepares the basemap's features for drawing, reading them
// without changing them. Features of an unknown layer are an error, so
// that a change of the build cannot drop data silently.
func NewBasemap(fc *geojson.FeatureCollection) (*Basemap, error) {
	b := &Basemap{names: map[string][2]string{}}
	for i, f := range fc.Features {
		switch layer := f.Properties.MustString("layer", ""); layer {
		case "land":
			b.land = append(b.land, polygonParts(f.Geometry)...)
		case "coastline":
			b.coast = append(b.coast, lineParts(f.Geometry)...)
		case "borders":
			b.border = append(b.border, lineParts(f.Geometry)...)
		case "country_labels":
			b.addLabel(f)
		case "lakes":
			b.lakes = append(b.lakes, ranked(polygonParts(f.Geometry), f.Properties)...)
		case "rivers":
			b.rivers = append(b.rivers, ranked(lineParts(f.Geometry), f.Properties)...)
		case "towns":
			b.addTown(f)
		default:
			return nil, fmt.Errorf("basemap: feature %d: unknown layer %q", i, layer)
		}
	}
	return b, nil
}

func (b *Basemap) addLabel(f *geojson.Feature) {
	p, ok := f.Geometry.(orb.Point)
	en, fr := f.Properties.MustString("name_en", ""), f.Properties.MustString("name_fr", "")
	if iso := f.Properties.MustString("iso_a2", ""); len(iso) == 2 {
		b.names[iso] = [2]string{en, fr}
	}
	if ok && en != "" {
		b.labels = append(b.labels, countryLabel{at: orb.Point{worldX(p[0]), worldY(p[1])}, en: en, fr: fr,
			minZoom: f.Properties.MustFloat64("minzoom", 3)})
	}
}

// countryName is the name of an ISO alpha-2 country in lang, or the code.
func (b *Basemap) countryName(code, lang string) string {
	if b == nil {
		return code
	}
	n, ok := b.names[code]
	switch {
	case !ok:
		return code
	case lang == "fr" && n[1] != "":
		return n[1]
	}
	return n[0]
}

func toWorld(ps []orb.Point) []orb.Point {
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		out[i] = orb.Point{worldX(p[0]), worldY(p[1])}
	}
	return out
}

// polygonParts cuts a (multi)polygon into parts, one per polygon; other
// geometries give none.
func polygonParts(g orb.Geometry) []part {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	shapes := make([][][]orb.Point, len(polys))
	for i, p := range polys {
		for _, r := range p {
			shapes[i] = append(shapes[i], r)
		}
	}
	return worldParts(shapes)
}

// lineParts cuts a (multi)linestring into parts, one per line; other
// geometries give none.
func lineParts(g orb.Geometry) []part {
	var shapes [][][]orb.Point
	switch g := g.(type) {
	case orb.LineString:
		shapes = [][][]orb.Point{{g}}
	case orb.MultiLineString:
		for _, l := range g {
			shapes = append(shapes, [][]orb.Point{l})
		}
	}
	return worldParts(shapes)
}

// worldParts turns shapes (a polygon's rings, or one line) into parts in
// world coordinates, each bounded by its first ring; a shape without rings
// is left out.
func worldParts(shapes [][][]orb.Point) []part {
	var out []part
	for _, rings := range shapes {
		if len(rings) == 0 {
			continue
		}
		pt := part{}
		for _, r := range rings {
			pt.rings = append(pt.rings, toWorld(r))
		}
		pt.bound = orb.MultiPoint(pt.rings[0]).Bound()
		out = append(out, pt)
	}
	return out
}

// level returns the basemap simplified for zoom z, building it on first use.
func (b *Basemap) level(z float64) *level {
	i := int(math.Max(0, math.Min(MaxZoom, math.Floor(z))))
	lv := &b.levels[i]
	lv.once.Do(func() {
		tolerance := 0.5 / (tileSize * math.Exp2(float64(i)))
		s := simplify.DouglasPeucker(tolerance)
		lv.l = &level{land: simplifyParts(b.land, s, 4), coast: simplifyParts(b.coast, s, 2),
			border: simplifyParts(b.border, s, 2), lakes: simplifyParts(appearing(b.lakes, i), s, 4),
			rivers: simplifyParts(appearing(b.rivers, i), s, 2)}
	})
	return lv.l
}

// simplifyParts drops the rings that collapse below min points (and a
// polygon whose exterior collapses).
func simplifyParts(parts []part, s *simplify.DouglasPeuckerSimplifier, min int) []part {
	out := make([]part, 0, len(parts))
	for _, p := range parts {
		q := p
		q.rings = nil
		for i, r := range p.rings {
			var sr []orb.Point
			if min == 4 {
				sr = s.Ring(append(orb.Ring(nil), r...))
			} else {
				sr = s.LineString(append(orb.LineString(nil), r...))
			}
			if len(sr) < min {
				if i == 0 {
					break
				}
				continue
			}
			q.rings = append(q.rings, sr)
		}
		if len(q.rings) > 0 {
			out = append(out, q)
		}
	}
	return out
}
