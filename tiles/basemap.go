package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"
	"golang.org/x/sync/singleflight"

	"incidentmap/geo"
)

// Basemap cuts the built-in basemap into vector tiles on demand: land,
// coastline, borders and country label points from Natural Earth 1:50m
// (public domain), which static/build.mjs writes as one GeoJSON file, and
// the rivers, lakes and towns of West and Central Africa from Natural
// Earth 1:10m (package naturalearth). Features name their layer in the
// "layer" property; a "minzoom" property keeps one out of the tiles of
// lower zooms (rivers by scale rank, towns by population).
//
// The basemap has a route of its own (/basemap/{z}/{x}/{y}.mvt) instead of
// more layers in the incident tiles: those change with every time window
// and filter, the basemap never changes for a running binary. Kept apart,
// browsers cache it for a day, moving the time slider never refetches
// coastlines, incident tiles stay small, and a deployment that prefers an
// external basemap just does not ask for it.
type Basemap struct {
	layers map[string][]basePart
	cache  *cache
	flight singleflight.Group
}

// BasemapLayers are the layers of a basemap tile, bottom to top.
var BasemapLayers = []string{"land", "rivers", "lakes", "coastline", "borders", "country_labels", "towns"}

// BasemapMaxZoom is the deepest zoom worth cutting: the 1:10m rivers and
// lakes have no more detail (the 1:50m land has less), and map clients
// overzoom its tiles past it.
const BasemapMaxZoom = 10

// basePart is one polygon, line or point of the basemap, in WGS84.
type basePart struct {
	geom  orb.Geometry
	bound orb.Bound
	props geojson.Properties
}

// NewBasemap cuts the basemap's features into parts ready for tiles; it
// keeps them and never changes them. Features of a layer not in
// BasemapLayers are an error, so that a build change cannot silently drop
// data.
func NewBasemap(fc *geojson.FeatureCollection) (*Basemap, error) {
	b := &Basemap{layers: map[string][]basePart{}, cache: newCache(32 << 20)}
	for i, f := range fc.Features {
		layer, _ := f.Properties["layer"].(string)
		if !slices.Contains(BasemapLayers, layer) {
			return nil, fmt.Errorf("basemap: feature %d: unknown layer %q", i, layer)
		}
		props := geojson.Properties{}
		for k, v := range f.Properties {
			if k != "layer" {
				props[k] = v
			}
		}
		for _, g := range baseSplit(f.Geometry) {
			b.layers[layer] = append(b.layers[layer], basePart{geom: g, bound: g.Bound(), props: props})
		}
	}
	return b, nil
}

// Tile returns basemap tile t, gzipped, and its entity tag. A tile outside
// the pyramid is an ENotFound *geo.Error.
func (b *Basemap) Tile(ctx context.Context, t maptile.Tile) (gzipped []byte, etag string, err error) {
	if !Valid(t) {
		return nil, "", geo.NotFound("no tile %d/%d/%d (zoom 0-%d, x and y below 2^zoom)", t.Z, t.X, t.Y, MaxZoom)
	}
	key := fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
	if tile, ok := b.cache.get(key, t); ok {
		return tile.Gzip, tile.ETag, nil
	}
	v, err, _ := b.flight.Do(key, func() (any, error) {
		raw, err := mvt.Marshal(b.layersOf(t))
		if err != nil {
			return Tile{}, err
		}
		tile, err := pack(raw)
		if err == nil {
			b.cache.put(key, t, 0, tile)
		}
		return tile, err
	})
	if err != nil {
		return nil, "", err
	}
	return v.(Tile).Gzip, v.(Tile).ETag, nil
}

// layersOf cuts every layer to tile t.
func (b *Basemap) layersOf(t maptile.Tile) mvt.Layers {
	bound := t.Bound()
	pad := (bound.Max[0] - bound.Min[0]) * 64 / Extent
	bound = bound.Pad(pad)
	// Half a screen pixel of a 512-pixel tile: invisible, and most points go.
	simplifier := simplify.DouglasPeucker(Extent / 1024.0)
	var out mvt.Layers
	for _, name := range BasemapLayers {
		layer := &mvt.Layer{Name: name, Version: 2, Extent: Extent}
		for _, p := range b.layers[name] {
			if !p.bound.Intersects(bound) || belowMinZoom(p.props, t.Z) {
				continue
			}
			if g := cutPart(p.geom, t, simplifier); g != nil {
				layer.Features = append(layer.Features, &geojson.Feature{Geometry: g, Properties: p.props})
			}
		}
		out = append(out, layer)
	}
	return out
}

// belowMinZoom reports whether a feature's "minzoom" property (country
// labels of small countries, small rivers and towns) keeps it out of
// tiles of zoom z.
func belowMinZoom(props geojson.Properties, z maptile.Zoom) bool {
	mz, ok := props["minzoom"].(float64)
	return ok && float64(z) < mz
}

// cutPart projects g into tile t, simplifies it (unless s is nil), clips it, and snaps it to
// whole tile units with exterior rings clockwise on screen, as MVT 2.1
// wants; nil when nothing visible is left.
func cutPart(g orb.Geometry, t maptile.Tile, s *simplify.DouglasPeuckerSimplifier) orb.Geometry {
	x0, y0, shift := tileOrigin(t)
	if pt, ok := g.(orb.Point); ok {
		x, y := worldXY(pt)
		span := uint64(1) << (32 - t.Z)
		if x < x0 || y < y0 || uint64(x-x0) >= span || uint64(y-y0) >= span {
			return nil // a label goes only in the tile that holds it
		}
		return orb.Point{float64((x - x0) >> shift), float64((y - y0) >> shift)}
	}
	scale := math.Ldexp(1, -int(shift))
	g = project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point {
		x, y := worldXY(p)
		return orb.Point{(float64(x) - float64(x0)) * scale, (float64(y) - float64(y0)) * scale}
	})
	if s != nil {
		if g = s.Simplify(g); g == nil {
			return nil
		}
	}
	const buffer = 64
	g = clip.Geometry(orb.Bound{Min: orb.Point{-buffer, -buffer}, Max: orb.Point{Extent + buffer, Extent + buffer}}, g)
	if g == nil {
		return nil
	}
	return baseSnap(g)
}

// baseSnap rounds to whole tile units, drops repeated points and what
// collapses, and orients polygon rings; nil when nothing is left.
func baseSnap(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.MultiPoint:
		if m := baseSnapPoints(g); len(m) > 0 {
			return orb.MultiPoint(m)
		}
	case orb.LineString:
		if l := baseSnapPoints(g); len(l) >= 2 {
			return orb.LineString(l)
		}
	case orb.MultiLineString:
		var out orb.MultiLineString
		for _, l := range g {
			if l := baseSnapPoints(l); len(l) >= 2 {
				out = append(out, l)
			}
		}
		if len(out) > 0 {
			return out
		}
	case orb.Polygon:
		if p := baseSnapPolygon(g); p != nil {
			return p
		}
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			if p := baseSnapPolygon(p); p != nil {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func baseSnapPolygon(p orb.Polygon) orb.Polygon {
	var out orb.Polygon
	for i, r := range p {
		r := orb.Ring(baseSnapPoints(r))
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		if len(r) < 4 || r.Orientation() == 0 {
			if i == 0 {
				return nil // no exterior, no polygon
			}
			continue
		}
		// orb calls positive area CCW (y up); on screen (y down) it is clockwise.
		if want := map[bool]orb.Orientation{true: orb.CCW, false: orb.CW}[i == 0]; r.Orientation() != want {
			r.Reverse()
		}
		out = append(out, r)
	}
	return out
}

func baseSnapPoints(ps []orb.Point) []orb.Point {
	out := make([]orb.Point, 0, len(ps))
	for _, p := range ps {
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return out
}

// baseSplit turns multi-geometries into their members, so that a tile
// reads only the members whose bounds it touches.
func baseSplit(g orb.Geometry) []orb.Geometry {
	var out []orb.Geometry
	switch g := g.(type) {
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l)
		}
	case orb.MultiPoint:
		for _, p := range g {
			out = append(out, p)
		}
	case orb.Collection:
		for _, m := range g {
			out = append(out, baseSplit(m)...)
		}
	case nil:
	default:
		out = append(out, g)
	}
	return out
}
