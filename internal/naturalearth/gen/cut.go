package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
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
		sort.Strings(stale)
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

// round rounds coordinates to decimals and drops the points that then
// repeat or fall in line (a Douglas-Peucker of tolerance 0 loses nothing);
// nil when nothing is left.
func round(g orb.Geometry) orb.Geometry {
	g = orb.Round(g, int(math.Pow10(decimals)))
	if _, ok := g.(orb.Point); ok {
		return g
	}
	return simplify.DouglasPeucker(0).Simplify(g)
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
