package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
)

// regionBound is the region kept: West and Central Africa and the whole
// Sahel, from the Atlantic to Darfur and from the Gulf of Guinea to the
// Sahara's middle. The incidents this product maps lie in Mali, Burkina
// Faso and Niger (the synthetic data spans lon -12..4, lat 10..21); a
// reader pans from there to the neighbours, and a map of a region is
// framed with a wide margin. The world's rivers would be 40 times larger.
var regionBound = orb.Bound{Min: orb.Point{-20, 0}, Max: orb.Point{30, 30}}

// maxZoom is the deepest zoom a feature may wait for: the basemap's
// tiles stop at 10, so a feature that appears later is never drawn.
const maxZoom = 10

// decimals is the rounding of coordinates: 4 decimals are 11 m, finer
// than the 1:10m data.
const decimals = 4

// cut builds the basemap's layers from the source collections: features
// in regionBound, clipped to it, named with nameFixes applied, with the
// properties the map draws:
//
//	rivers  name, rank (scale rank, 0 the largest), minzoom, lake (true for a lake centreline)
//	lakes   name, rank, minzoom
//	towns   name, rank (population rank, 14 the largest), minzoom, kind (capital, admin1, town)
//
// A name fix that matches nothing is an error.
func cut(rivers, lakes, towns *geojson.FeatureCollection) (*geojson.FeatureCollection, error) {
	used := map[string]bool{}
	out := geojson.NewFeatureCollection()
	add := func(layer string, g orb.Geometry, props geojson.Properties) {
		if name, ok := props["name"].(string); ok {
			if fixed, ok := nameFixes[name]; ok {
				used[name] = true
				props["name"] = fixed
			}
		}
		props["layer"] = layer
		f := geojson.NewFeature(g)
		f.Properties = props
		out.Append(f)
	}
	for _, f := range rivers.Features {
		g, props := area(f, "rivers")
		if g == nil {
			continue
		}
		if f.Properties.MustString("featurecla", "") == "Lake Centerline" {
			props["lake"] = true
		}
		add("rivers", g, props)
	}
	for _, f := range lakes.Features {
		if g, props := area(f, "lakes"); g != nil {
			add("lakes", g, props)
		}
	}
	for _, f := range towns.Features {
		p, ok := f.Geometry.(orb.Point)
		mz := f.Properties.MustFloat64("min_zoom", 99)
		if !ok || !regionBound.Contains(p) || mz > maxZoom {
			continue
		}
		props := named(f.Properties)
		props["rank"] = f.Properties.MustFloat64("rank_max", 0)
		props["minzoom"] = mz
		props["kind"] = townKind(f.Properties.MustString("featurecla", ""))
		add("towns", round(p), props)
	}
	var stale []string
	for name := range nameFixes {
		if !used[name] {
			stale = append(stale, name)
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		return nil, fmt.Errorf("name fixes that match no feature of the region: %s", strings.Join(stale, ", "))
	}
	return out, nil
}

// area clips a line or polygon feature to the region and rounds it; nil
// when it lies outside, waits past maxZoom, or nothing is left.
func area(f *geojson.Feature, layer string) (orb.Geometry, geojson.Properties) {
	mz := f.Properties.MustFloat64("min_zoom", 99)
	if f.Geometry == nil || mz > maxZoom || !f.Geometry.Bound().Intersects(regionBound) {
		return nil, nil
	}
	g := clip.Geometry(regionBound, orb.Clone(f.Geometry))
	if g = round(g); g == nil {
		return nil, nil
	}
	props := named(f.Properties)
	props["rank"] = f.Properties.MustFloat64("scalerank", 10)
	props["minzoom"] = mz
	return g, props
}

// named starts a feature's kept properties with its name, when it has one.
func named(src geojson.Properties) geojson.Properties {
	props := geojson.Properties{}
	if name := strings.TrimSpace(src.MustString("name", "")); name != "" {
		props["name"] = name
	}
	return props
}

// townKind sorts Natural Earth's feature classes into the three the map
// tells apart.
func townKind(featurecla string) string {
	switch {
	case strings.HasPrefix(featurecla, "Admin-0 capital"):
		return "capital"
	case strings.HasPrefix(featurecla, "Admin-1 capital"):
		return "admin1"
	}
	return "town"
}

// round rounds coordinates to decimals, drops the points that then repeat
// and the parts that collapse; nil when nothing is left.
func round(g orb.Geometry) orb.Geometry {
	k := math.Pow(10, decimals)
	r := func(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]*k) / k, math.Round(p[1]*k) / k} }
	line := func(ps []orb.Point) []orb.Point {
		out := make([]orb.Point, 0, len(ps))
		for _, p := range ps {
			if p = r(p); len(out) == 0 || out[len(out)-1] != p {
				out = append(out, p)
			}
		}
		return out
	}
	polygon := func(p orb.Polygon) orb.Polygon {
		var out orb.Polygon
		for i, ring := range p {
			if rr := line(ring); len(rr) >= 4 {
				out = append(out, rr)
			} else if i == 0 {
				return nil
			}
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return r(g)
	case orb.LineString:
		if l := line(g); len(l) >= 2 {
			return orb.LineString(l)
		}
	case orb.MultiLineString:
		var out orb.MultiLineString
		for _, l := range g {
			if l := line(l); len(l) >= 2 {
				out = append(out, l)
			}
		}
		if len(out) > 0 {
			return out
		}
	case orb.Polygon:
		if p := polygon(g); p != nil {
			return p
		}
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			if p := polygon(p); p != nil {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// encode writes fc as gzipped GeoJSON, the same bytes for the same input
// (no time in the gzip header; properties in key order).
func encode(fc *geojson.FeatureCollection) ([]byte, error) {
	raw, err := fc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
