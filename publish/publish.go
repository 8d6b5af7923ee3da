// Package publish writes a server-free archive of a view of the incidents:
// a folder that any static web host serves as it is. It holds index.html
// (title, caption, description, the list of the incidents with their claims
// and sources, and the map), incidents.pmtiles and basemap.pmtiles
// (PMTiles v3 archives of the same vector tiles the server serves),
// style.json (the viewer's style, its sources pmtiles:// URLs relative to
// the page), incidents.geojson (the list, claims and sources as data), and
// the page's code: MapLibre GL JS, the pmtiles protocol and the viewer's
// modules. The page asks nothing of the incidentmap server or of anyone
// else: labels are drawn without glyphs (labels.js), and its
// Content-Security-Policy allows its own origin only.
//
// Write builds the folder in a temporary sibling of the target and renames
// it at the end: a failure leaves nothing behind.
package publish

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"incidentmap/geo"
)

// Incidents lists the published incidents of a view (the store).
type Incidents interface {
	Incidents(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, error)
}

// MaxIncidents is the most incidents an archive lists: a larger view is
// refused (narrow the window, the bbox or the filters).
const MaxIncidents = 5000

// View is what to publish.
type View struct {
	Filter geo.Filter // the window, bbox and filters (server.ParseView)
	Title  string     // the page's heading; "" for the caption
	Lang   string     // en or fr
	Theme  string     // dark, or light (anything else)
	// Style is the viewer's style for the view (server.ArchiveStyle); its
	// two sources become the archives.
	Style []byte
	// Describe writes the caption and the description of the view from its
	// incidents; nil: the package's Describe.
	Describe func(lang string, f geo.Filter, list []geo.Incident) (caption, description string)
	Now      time.Time // the publication time the page states
}

// Sources are where the archive's parts come from.
type Sources struct {
	Incidents Incidents
	Tiles     Tiles
	Basemap   Basemap
	Assets    fs.FS // the built web assets (static.FS)
}

// Summary says what Write wrote.
type Summary struct {
	Dir                         string
	Incidents                   int
	IncidentTiles, BasemapTiles int
	IncidentZooms, BasemapZooms [2]int // min, max
}

// Write publishes v into dir (which must not exist, or be empty). It fails
// when the view holds more than MaxIncidents incidents, or on any error of
// the sources or the file system; then dir is left as it was.
func Write(ctx context.Context, dir string, v View, s Sources) (Summary, error) {
	sum := Summary{Dir: dir}
	if err := CheckOut(dir); err != nil {
		return sum, err
	}
	list, err := s.Incidents.Incidents(ctx, v.Filter, geo.Page{Limit: MaxIncidents + 1})
	if err != nil {
		return sum, err
	}
	if len(list) > MaxIncidents {
		return sum, &geo.Error{Code: geo.ETooLarge, Message: fmt.Sprintf(
			"the view holds more than %d incidents: narrow its datetime, bbox or filters", MaxIncidents)}
	}
	if v.Describe == nil {
		v.Describe = Describe
	}
	sum.Incidents = len(list)
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(dir)+".publish-")
	if err != nil {
		return sum, fmt.Errorf("--out: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = os.RemoveAll(tmp)
		}
	}()
	area := viewBBox(v.Filter.BBox, list)
	b := &builder{ctx: ctx, dir: tmp, view: v, src: s, list: list, bbox: area, cover: padded(area)}
	if err := b.build(&sum); err != nil {
		return sum, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it 0700
		return sum, err
	}
	_ = os.Remove(dir) // an empty directory (CheckOut): rename needs it gone
	if err := os.Rename(tmp, dir); err != nil {
		return sum, fmt.Errorf("--out: %w", err)
	}
	done = true
	return sum, nil
}

// viewBBox is the area of the map: the view's bbox, else the incidents'
// (padded), else the world.
func viewBBox(b *geo.BBox, list []geo.Incident) geo.BBox {
	if b != nil {
		return *b
	}
	if len(list) == 0 {
		return geo.BBox{MinLon: -180, MinLat: -85, MaxLon: 180, MaxLat: 85}
	}
	out := geo.BBox{MinLon: 180, MinLat: 90, MaxLon: -180, MaxLat: -90}
	for _, in := range list {
		if in.Geometry == nil {
			continue
		}
		r := in.Geometry.Bound()
		out.MinLon, out.MinLat = min(out.MinLon, r.Min[0]), min(out.MinLat, r.Min[1])
		out.MaxLon, out.MaxLat = max(out.MaxLon, r.Max[0]), max(out.MaxLat, r.Max[1])
	}
	const pad = 0.25 // degrees around the incidents
	return geo.BBox{MinLon: max(-180, out.MinLon-pad), MinLat: max(-85, out.MinLat-pad),
		MaxLon: min(180, out.MaxLon+pad), MaxLat: min(85, out.MaxLat+pad)}
}

// padded is the area the archives cover around the view: half its size
// again on each side, so that a map wider or taller than the view still
// has tiles to its edges (the page keeps the map within it).
func padded(b geo.BBox) geo.BBox {
	if b.MinLon > b.MaxLon { // across the antimeridian
		b.MinLon, b.MaxLon = -180, 180
	}
	w, h := (b.MaxLon-b.MinLon)/2, (b.MaxLat-b.MinLat)/2
	return geo.BBox{MinLon: max(-180, b.MinLon-w), MinLat: max(-85, b.MinLat-h),
		MaxLon: min(180, b.MaxLon+w), MaxLat: min(85, b.MaxLat+h)}
}

// lang is en unless fr.
func lang(l string) string {
	if strings.EqualFold(l, "fr") {
		return "fr"
	}
	return "en"
}

// theme is dark or light, as the style's.
func theme(t string) string {
	if t == "dark" {
		return "dark"
	}
	return "light"
}
