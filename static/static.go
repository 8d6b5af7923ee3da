// Package static holds the web viewer and the embed: their pages, ES
// modules and CSS, MapLibre GL JS and the built-in basemap data, as built by
// build.mjs into dist/ (make web) and embedded in the binary.
//
// Before the first build dist/ holds only .gitkeep, so the Go code still
// compiles; FS then holds no index.html, and the server shows its plain
// placeholder page instead of the viewer, and no basemap tiles.
package static

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built assets, rooted at dist/: index.html, embed.html,
// embed-host.js, style.json, *.css, js/*.js (the viewer's modules; the
// embed's bundle js/embed.js and the chunks it loads, js/embed-*.js),
// vendor/maplibre-gl/* and basemap/basemap.geojson.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	return sub
}

// BasemapFile is the path, inside FS, of the basemap GeoJSON.
const BasemapFile = "basemap/basemap.geojson"
