package server

import (
	"archive/zip"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
	"incidentmap/publish"
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

// archiveRoutes add GET /admin/archive.zip (admin token) when the server
// has what an archive needs: incidents, tiles, the basemap and the built
// pages.
func (s *Server) archiveRoutes() {
	if s.incidents == nil || s.tiles == nil || s.viewer.basemap == nil || s.viewer.files == nil {
		return
	}
	s.archiving = make(chan struct{}, 1)
	s.echo.GET("/admin/archive.zip", s.archiveZip, s.requireScope(scopeAdmin))
}

// archiveZip answers GET /admin/archive.zip: the archive that `incidentmap
// publish` writes for the same view (its parameters, and title), as a zip.
// One archive is built at a time (another request meanwhile: 503), in a
// temporary directory removed afterwards; a view of more than
// publish.MaxIncidents incidents is refused (413).
func (s *Server) archiveZip(c echo.Context) error {
	q := c.QueryParams()
	title := q.Get("title")
	q.Del("title")
	f, err := ParseView(q)
	if err != nil {
		return err
	}
	if len(title) > 300 || strings.ContainsAny(title, "\n\r") {
		return geo.Invalid("title", "must be one line of at most 300 characters")
	}
	select {
	case s.archiving <- struct{}{}:
		defer func() { <-s.archiving }()
	default:
		return &geo.Error{Code: geo.EUnavailable, Message: "another archive is being built: retry shortly"}
	}
	style, err := ArchiveStyle(s.viewer.files, q, "")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "incidentmap-archive-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	dir := filepath.Join(tmp, "archive")
	extendWriteDeadline(c, exportDeadline)
	_, err = publish.Write(c.Request().Context(), dir, publish.View{
		Filter: f, Title: title, Lang: q.Get("lang"), Theme: q.Get("theme"), Style: style, Now: time.Now(),
	}, publish.Sources{Incidents: s.incidents, Tiles: s.tiles, Basemap: s.viewer.basemap, Assets: s.viewer.files})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="incidentmap-archive.zip"`)
	c.Response().WriteHeader(http.StatusOK)
	return zipDir(c.Response(), dir)
}

// zipDir writes the files under dir to w as a zip, their paths relative to
// dir.
func zipDir(w io.Writer, dir string) error {
	zw := zip.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fw, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = src.Close() }()
		_, err = io.Copy(fw, src)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
