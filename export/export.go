// Package export writes incidents into the file formats that desktop GIS
// and Google Earth open (f=gpkg, f=fgb, f=kml). Each format streams: it
// writes what it has as the incidents come, or builds its file in a
// temporary file, so that memory stays bounded however many incidents an
// export holds.
package export

import (
	"context"
	"io"

	"incidentmap/geo"
)

// Each calls fn for each incident to export, in order; it stops at fn's first error and returns it.
type Each func(fn func(*geo.Incident) error) error

// A Format writes incidents into w in one file format.
type Format struct {
	Name, MediaType, Extension string
	Write                      func(ctx context.Context, w io.Writer, each Each) error
}

// formats holds every Format by name; each format's file registers itself
// in an init.
var formats = map[string]Format{}

// register adds f to the formats Lookup finds.
func register(f Format) { formats[f.Name] = f }

// Lookup returns the format named name (the value of f=), and whether there
// is one.
func Lookup(name string) (Format, bool) {
	f, ok := formats[name]
	return f, ok
}
