// Command gen cuts the basemap's water and towns out of Natural Earth 1:10m
// (public domain): rivers and lake centrelines, lakes and populated places,
// from the three gzipped GeoJSON files of the directory -src, into one
// small gzipped GeoJSON file (-out) that package naturalearth embeds.
//
// It keeps the region of regionBound, only the properties the basemap
// draws, coordinates rounded to 4 decimals (about 11 m, below the data's
// own detail), and corrects the source's broken names (nameFixes). Run it
// with `make naturalearth` or `go generate ./internal/naturalearth` (with
// NATURAL_EARTH set to the data's directory); the tests and the build
// never need the source.
package main

import (
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/paulmach/orb/geojson"
)

func main() {
	src := flag.String("src", "", "directory of the Natural Earth 1:10m GeoJSON files (.geojson.gz)")
	out := flag.String("out", "basemap-10m.geojson.gz", "the gzipped GeoJSON file to write")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "naturalearth/gen:", err)
		os.Exit(1)
	}
}

// sourceFiles are the layers read, by the name of their file in -src.
var sourceFiles = map[string]string{
	"rivers": "ne_10m_rivers_lake_centerlines_scale_rank.geojson.gz",
	"lakes":  "ne_10m_lakes.geojson.gz",
	"towns":  "ne_10m_populated_places_simple.geojson.gz",
}

func run(src, out string) error {
	if src == "" {
		return errors.New("-src (or NATURAL_EARTH) must name the directory of the Natural Earth files")
	}
	sources := map[string]*geojson.FeatureCollection{}
	for layer, name := range sourceFiles {
		fc, err := readGzipped(filepath.Join(src, name))
		if err != nil {
			return err
		}
		sources[layer] = fc
	}
	fc, err := cut(sources["rivers"], sources["lakes"], sources["towns"])
	if err != nil {
		return err
	}
	raw, err := encode(fc)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d features, %d bytes\n", out, len(fc.Features), len(raw))
	return nil
}

func readGzipped(path string) (*geojson.FeatureCollection, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only: a failed read comes back from io.ReadAll
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fc, nil
}
