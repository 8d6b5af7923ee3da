// Package export writes incidents into the file formats that desktop GIS and
// Google Earth open (GeoPackage, FlatGeobuf, KML). Each format is a Format:
// the server looks one up by the f parameter of an items request and hands it
// the matches one at a time (Each), so that no format holds all incidents in
// memory. Package export knows the domain (geo) and geometries, never HTTP or
// the database.
package export

import (
	"context"
	"io"

	"incidentmap/geo"
)

// Each calls fn for each incident to export, in order; it stops at fn's
// first error and returns it.
type Each func(fn func(*geo.Incident) error) error

// A Format writes incidents into w in one file format.
type Format struct {
	Name      string // the f parameter, e.g. "gpkg"
	MediaType string // the Content-Type of the answer
	Extension string // the file name's extension, without the dot
	Title     string // the format's name for people, e.g. "GeoPackage"
	// Write writes every incident that each yields into w, with the
	// properties props names (see Properties). It fails with ctx's error
	// once ctx ends, with each's error, or with a *geo.Error when the file
	// would pass the format's size limit.
	Write func(ctx context.Context, w io.Writer, each Each, props Properties) error
}

// Properties are the properties each feature of a file keeps, in this
// order after the id (the id and the geometry always stay): the properties
// parameter of an items request. Nil keeps every property the format
// carries, in its own order; a name the format does not carry (FlatGeobuf
// alone has external_ids, say) is left out.
type Properties []string

// pick returns the items of all whose names props lists, in props' order
// after the first item (the id); all itself when props is nil.
func pick[T any](all []T, name func(T) string, props Properties) []T {
	if props == nil {
		return all
	}
	out := []T{all[0]}
	for _, p := range props {
		for _, item := range all[1:] {
			if name(item) == p {
				out = append(out, item)
			}
		}
	}
	return out
}

// formats lists every format, in the order the server lists them.
var formats = []Format{
	{Name: "gpkg", MediaType: "application/geopackage+sqlite3", Extension: "gpkg", Title: "GeoPackage",
		Write: WriteGeoPackage},
	{Name: "fgb", MediaType: "application/flatgeobuf", Extension: "fgb", Title: "FlatGeobuf",
		Write: WriteFlatGeobuf},
	{Name: "kml", MediaType: "application/vnd.google-earth.kml+xml", Extension: "kml", Title: "KML",
		Write: WriteKML},
}

// Lookup returns the format whose Name is name.
func Lookup(name string) (Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// Formats returns every format, in a fresh slice.
func Formats() []Format {
	return append([]Format(nil), formats...)
}

// builds bounds how many files (GeoPackages, FlatGeobufs) are built at once,
// and so the temporary disk they take (up to 2 GiB each), the memory of
// FlatGeobuf's index (48 bytes a feature) and the cores.
var builds = make(chan struct{}, 4)

// whileBuilding runs build holding one of the builds, or fails at once
// with a *geo.Error (EUnavailable) when all are taken.
func whileBuilding(build func() error) error {
	select {
	case builds <- struct{}{}:
		defer func() { <-builds }()
		return build()
	default:
		return &geo.Error{Code: geo.EUnavailable,
			Message: "the server builds as many export files as it can at once: retry in a minute"}
	}
}
