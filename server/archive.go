package server

import (
	"io/fs"
	"net/url"
	"slices"

	"incidentmap/geo"
)

// ArchiveParams are the parameters of a published view (incidentmap
// publish): the viewer's lang and theme and the shared incident filters.
func ArchiveParams() []string { return slices.Clone(styleParams) }

// ParseView checks a view's parameters exactly as the viewer's routes do
// (the same *geo.Error, naming the parameter, for a bad value or an unknown
// name) and returns its filter.
func ParseView(q url.Values) (geo.Filter, error) {
	if err := checkParams(q, styleParams); err != nil {
		return geo.Filter{}, err
	}
	if err := viewerParams(q); err != nil {
		return geo.Filter{}, err
	}
	return parseFilter(q)
}

// ArchiveStyle is /style.json for the view q, built from the viewer's
// style template in files (static.FS), with the built-in basemap: the
// theme's colours, the labels' language and the window's filters are set,
// and the sources' tile URLs start with base (the archive replaces them).
func ArchiveStyle(files fs.FS, q url.Values, base string) ([]byte, error) {
	f, err := ParseView(q)
	if err != nil {
		return nil, err
	}
	raw, err := fs.ReadFile(files, "style.json")
	if err != nil {
		return nil, err
	}
	return buildStyle(raw, styleOptions{base: base, query: carriedFilters(q), lang: q.Get("lang"), theme: q.Get("theme"), window: f.Time})
}
