package server

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/export"
	"incidentmap/geo"
)

// incidentFormats are the f values of /collections/incidents/items: pages
// (json, html), streams (geojsonseq, csv), then every file format of
// package export (gpkg, ...), which the server serves without knowing them.
var incidentFormats = append([]string{fJSON, fHTML, fGeoJSONSeq, fCSV}, fileFormatNames()...)

func fileFormatNames() []string {
	var names []string
	for _, f := range export.Formats() {
		names = append(names, f.Name)
	}
	return names
}

// exportsEveryMatch reports whether format f streams every match (or the
// page that limit and offset ask for) rather than pages: an export, an
// expensive request.
func exportsEveryMatch(f string) bool {
	_, file := export.Lookup(f)
	return f == fCSV || f == fGeoJSONSeq || file
}

// fileFormatOf is the name of the file format whose media type is media
// (an Accept header's), or "".
func fileFormatOf(media string) string {
	for _, f := range export.Formats() {
		if strings.EqualFold(f.MediaType, media) {
			return f.Name
		}
	}
	return ""
}

// streamFile writes every match of f (page p) as a file of format ff,
// named incidents.<extension>, with the properties sel keeps, within the bounds of export: the incidents
// come one batch at a time (eachIncident), and the answer starts only when
// the format writes its first byte, so that a failure before (a GeoPackage
// built in a temporary file, say, or too large) still gets its error status.
func (s *Server) streamFile(ctx context.Context, c echo.Context, idle time.Duration, ff export.Format,
	f geo.Filter, p geo.Page, sel *propertySelection) error {
	w := startLater(c, ff.MediaType, "incidents."+ff.Extension)
	w.deadline = newWriteDeadline(ctx, c, idle)
	var props export.Properties // nil: every property
	if sel != nil {
		props = append(export.Properties{}, sel.names...)
	}
	err := ff.Write(ctx, w, func(fn func(*geo.Incident) error) error {
		return s.eachIncident(ctx, f, p, func(in geo.Incident) error { return fn(&in) })
	}, props)
	if err == nil {
		w.deadline.renew() // the end of the answer gets its own idle time
		w.start()
	}
	return err
}

// fileLinks are the links to every match as each file format: with the
// request's filters, without limit and offset.
func fileLinks(rel string, with func(set map[string]string) string) []link {
	var links []link
	for _, f := range export.Formats() {
		links = append(links, link{Href: with(map[string]string{"f": f.Name, "limit": "", "offset": ""}), Rel: rel,
			Type: f.MediaType, Title: "All matching features as " + f.Title})
	}
	return links
}

// fileLinks are the links of a collection to all its items as each file
// format (incidents only).
func (ci collectionInfo) fileLinks(base string) []link {
	if ci.id != "incidents" {
		return nil
	}
	return fileLinks("items", func(set map[string]string) string { return base + "/items?f=" + set["f"] })
}
