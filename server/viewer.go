package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Basemap builds the built-in basemap's vector tiles (land, coastline,
// borders, country labels). Failures are *geo.Error values (ENotFound for a
// tile outside the pyramid).
type Basemap interface {
	Tile(ctx context.Context, t maptile.Tile) (gzipped []byte, etag string, err error)
}

// partialsTemplate defines what the viewer's page and the embed's share:
// "meta" (charset, viewport, icon), "social" (the social card's tags) and
// "range" (the time slider's handles).
const partialsTemplate = "partials.html"

// viewer is the map page, its style and its assets. The zero value (no
// built assets) makes / fall back to the plain placeholder page.
type viewer struct {
	files        fs.FS              // built assets (static.FS), nil when absent
	etags        map[string]string  // file path -> strong ETag of its content
	page         *template.Template // index.html
	embed        *template.Template // embed.html (embed.go); nil when not built
	basemap      Basemap            // nil: no built-in basemap tiles
	basemapStyle string             // URL of an external basemap style, "" for the built-in one
}

// newViewer reads the built assets once. Missing or broken assets are
// logged and leave the placeholder page in place, never stop the server.
func newViewer(cfg Config, log *slog.Logger) *viewer {
	v := &viewer{basemap: cfg.Basemap, basemapStyle: cfg.BasemapStyle, etags: map[string]string{}}
	if cfg.Static == nil {
		return v
	}
	page, err := template.ParseFS(cfg.Static, "index.html", partialsTemplate)
	if err != nil {
		log.Warn("the map viewer is not built (make web); / shows a placeholder", "err", err)
		return v
	}
	err = fs.WalkDir(cfg.Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(cfg.Static, p)
		sum := sha256.Sum256(b)
		v.etags[p] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return err
	})
	if err != nil {
		log.Warn("the map viewer's assets are unreadable; / shows a placeholder", "err", err)
		return v
	}
	v.files, v.page = cfg.Static, page
	v.embed = parseEmbed(cfg.Static, log)
	return v
}

func (s *Server) viewerRoutes() {
	e := s.echo
	e.GET("/style.json", s.style)
	e.GET("/static/*", s.staticFile)
	// Under /tiles/ like the incident tiles: both are stored gzipped, and
	// the compression middleware leaves /tiles/ alone.
	e.GET("/tiles/basemap/:z/:x/:y", s.basemapTile)
}

// csp allows nothing but this server (and an external basemap's origin
// when one is configured), framed by this server's pages only.
func (v *viewer) csp() string { return v.cspFramedBy("'self'") }

// cspFramedBy is the pages' Content-Security-Policy with the given
// frame-ancestors (the embed: *). MapLibre's module worker is loaded from
// /static, so no blob: worker is needed; icons it draws go through data:.
func (v *viewer) cspFramedBy(ancestors string) string {
	connect := "'self'"
	if origin := originOf(v.basemapStyle); origin != "" {
		connect += " " + origin
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
		"connect-src " + connect + "; worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors " + ancestors
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

var (
	incidentID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:~-]{0,199}$`)
	viewerLang = []string{"en", "fr"}
	themes     = []string{"light", "dark", "auto"}
	// listOrders are the orders of the viewer's list (order=): most
	// deaths first, most recent first, oldest first.
	listOrders = []string{"deaths", "recent", "oldest"}
)

// viewerParams checks the viewer's own parameters (lang, theme, highlight,
// order) and the shared filters, so that a bad permalink answers 400
// naming the parameter instead of a page that silently ignores it.
func viewerParams(q url.Values) error {
	if v := q.Get("lang"); q.Has("lang") && !contains(viewerLang, v) {
		return geo.Invalid("lang", "%q is not a language of the viewer (en, fr)", safe(v))
	}
	if v := q.Get("theme"); q.Has("theme") && !contains(themes, v) {
		return geo.Invalid("theme", "%q is not a theme (light, dark, auto)", safe(v))
	}
	if v := q.Get("highlight"); q.Has("highlight") && !incidentID.MatchString(v) {
		return geo.Invalid("highlight", "%q is not an incident id", safe(v))
	}
	if v := q.Get("order"); q.Has("order") && !contains(listOrders, v) {
		return geo.Invalid("order", "%q is not an order of the list (deaths, recent, oldest)", safe(v))
	}
	_, err := parseFilter(q)
	return err
}

// viewerPage answers / for browsers: the map viewer, or the placeholder
// when the assets are not built. The page reads its state from the query
// string itself; the server sets the document language and theme so that
// they are right before any script runs, and the view's caption and
// description (pageWords) for the map's accessible description and the
// page's social card.
func (s *Server) viewerPage(c echo.Context) error {
	q := c.QueryParams()
	if err := viewerParams(q); err != nil {
		return err
	}
	if s.viewer.page == nil {
		return s.renderLanding(c)
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = "en"
		if strings.HasPrefix(strings.ToLower(c.Request().Header.Get("Accept-Language")), "fr") {
			lang = "fr"
		}
	}
	theme := q.Get("theme")
	if theme == "" {
		theme = "auto"
	}
	words := s.pageWords(c.Request().Context(), q, lang)
	img := maps.Clone(q)
	img.Set("lang", lang)
	data := map[string]string{"Lang": lang, "Theme": theme, "OEmbed": s.oembedLink(c), "Caption": words.caption,
		"SocialTitle": words.caption,
		"Description": words.description, "Image": s.baseURL(c) + "/map.png?" + readable(thumbnailQuery(img, cardWidth, cardHeight))}
	return writePage(c, s.viewer.page, data, s.viewer.csp(), "Accept, Accept-Language")
}

// writePage answers page rendered with data, under the Content-Security-
// Policy csp, revalidated at each use; vary, when not "", is added to Vary.
func writePage(c echo.Context, page *template.Template, data any, csp, vary string) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-cache")
	if vary != "" {
		h.Add("Vary", vary)
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// staticFile serves the built assets with strong ETags. They change only
// with the binary, so clients revalidate (cheap 304s) instead of guessing
// an expiry.
func (s *Server) staticFile(c echo.Context) error {
	return s.serveFile(c, strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/"), "public, no-cache")
}

// serveFile answers one built asset with its ETag and cacheControl.
func (s *Server) serveFile(c echo.Context, name, cacheControl string) error {
	etag, ok := s.viewer.etags[name]
	if s.viewer.files == nil || !ok {
		return geo.NotFound("no file %q", safe(name))
	}
	f, err := s.viewer.files.Open(name)
	if err != nil {
		return geo.NotFound("no file %q", safe(name))
	}
	defer f.Close()
	rs, ok := f.(interface {
		Read([]byte) (int, error)
		Seek(int64, int) (int64, error)
	})
	if !ok {
		return fmt.Errorf("embedded file %s is not seekable", name)
	}
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Type", contentType(name))
	if path.Ext(name) == ".html" {
		h.Set("Content-Security-Policy", s.viewer.csp())
	}
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, rs)
	return nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".geojson":
		return mediaGeoJSON
	case ".json":
		return mediaJSON
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// basemapTile answers /tiles/basemap/{z}/{x}/{y}.mvt.
func (s *Server) basemapTile(c echo.Context) error {
	if s.viewer.basemap == nil {
		return geo.NotFound("the built-in basemap is not served here")
	}
	if q := c.QueryParams(); len(q) > 0 {
		name := slices.Sorted(maps.Keys(q))[0]
		return geo.Invalid(safe(name), "is not a parameter of basemap tiles (they take none)")
	}
	t, err := parseTile(c.Param("z"), c.Param("x"), c.Param("y"))
	if err != nil {
		return err
	}
	gz, etag, err := s.viewer.basemap.Tile(c.Request().Context(), t)
	if err != nil {
		return err
	}
	if tileFresh(c, etag, "public, max-age=86400") {
		return c.NoContent(http.StatusNotModified)
	}
	if !acceptsGzip(c.Request()) {
		return geo.Invalid("Accept-Encoding", "basemap tiles are sent gzipped only")
	}
	c.Response().Header().Set("Content-Encoding", "gzip")
	return c.Blob(http.StatusOK, mediaMVT, gz)
}

// styleParams are the parameters of /style.json: the filters carried into
// the incident tiles, the language of the labels and the theme.
var styleParams = slices.Concat([]string{"lang", "theme"}, incidentFilterParams)

// style answers /style.json: the MapLibre style (spec v8) of the viewer,
// from the template static/src/style.json, with absolute URLs for this
// server, the theme's colours, the language's label field, and the
// request's filters in the incident tiles' URL and its time window as
// layer filters (t0/t1, whole days), so that the style alone draws the
// requested view.
func (s *Server) style(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, styleParams); err != nil {
		return err
	}
	if err := viewerParams(q); err != nil {
		return err
	}
	if s.viewer.files == nil {
		return geo.NotFound("the viewer is not built (make web)")
	}
	raw, err := fs.ReadFile(s.viewer.files, "style.json")
	if err != nil {
		return err
	}
	f, _ := parseFilter(q)
	st, err := buildStyle(raw, styleOptions{
		base: s.baseURL(c), query: carriedFilters(q), lang: q.Get("lang"), theme: q.Get("theme"),
		window: f.Time, basemapStyle: s.viewer.basemapStyle,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, no-cache")
	return c.JSONBlob(http.StatusOK, st)
}

// carriedFilters is the query string of the incident tiles: the filters of
// the request, in canonical order.
func carriedFilters(q url.Values) string {
	out := url.Values{}
	for _, name := range incidentFilterParams {
		if q.Has(name) && name != "bbox" {
			out.Set(name, q.Get(name))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}

type styleOptions struct {
	base, query, lang, theme string
	window                   geo.Interval
	basemapStyle             string
}

// buildStyle fills the style template: "@name" strings become the theme's
// colours, "{base}", "{query}" and "{name}" in strings become the server's
// URL, the tiles' query and the label field; layers marked
// "incidentmap:time" get the window as a filter; with an external basemap
// the built-in one's source and layers go, and the client merges the
// external style under ours ("incidentmap:basemap-style").
func buildStyle(raw []byte, o styleOptions) ([]byte, error) {
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("style template: %w", err)
	}
	meta, _ := st["metadata"].(map[string]any)
	palettes, _ := meta["incidentmap:palettes"].(map[string]any)
	delete(meta, "incidentmap:palettes")
	if o.theme != "dark" {
		o.theme = "light"
	}
	palette, _ := palettes[o.theme].(map[string]any)
	meta["incidentmap:theme"] = o.theme
	if o.lang != "fr" {
		o.lang = "en"
	}
	repl := strings.NewReplacer("{base}", o.base, "{query}", o.query, "{name}", "name_"+o.lang)
	var fill func(v any) any
	fill = func(v any) any {
		switch v := v.(type) {
		case string:
			if c, ok := palette[strings.TrimPrefix(v, "@")]; ok && strings.HasPrefix(v, "@") {
				return c
			}
			return repl.Replace(v)
		case []any:
			for i := range v {
				v[i] = fill(v[i])
			}
		case map[string]any:
			for k := range v {
				v[k] = fill(v[k])
			}
		}
		return v
	}
	fill(st["sources"])
	layers, _ := st["layers"].([]any)
	var kept []any
	for _, l := range layers {
		layer, _ := fill(l).(map[string]any)
		lm, _ := layer["metadata"].(map[string]any)
		if o.basemapStyle != "" && lm["incidentmap:basemap"] == true {
			continue
		}
		if lm["incidentmap:time"] == true {
			lm["incidentmap:filter"] = layer["filter"] // what the client combines with its window
			if tf := timeFilter(o.window); tf != nil {
				layer["filter"] = []any{"all", layer["filter"], tf}
			}
		}
		kept = append(kept, layer)
	}
	st["layers"] = kept
	if o.basemapStyle != "" {
		delete(st["sources"].(map[string]any), "basemap")
		meta["incidentmap:basemap-style"] = o.basemapStyle
	}
	return json.Marshal(st)
}

// timeFilter is the MapLibre filter keeping features whose days [t0, t1]
// overlap the window's days; nil for an unbounded window.
func timeFilter(w geo.Interval) []any {
	var parts []any
	if w.Start != nil {
		parts = append(parts, []any{">=", []any{"get", "t1"}, daysSinceEpoch(*w.Start)})
	}
	if w.End != nil {
		parts = append(parts, []any{"<=", []any{"get", "t0"}, daysSinceEpoch(w.End.Add(-time.Microsecond))})
	}
	if len(parts) == 0 {
		return nil
	}
	return append([]any{"all"}, parts...)
}

func daysSinceEpoch(t time.Time) int64 {
	days := t.Unix() / 86400
	if t.Unix()%86400 < 0 {
		days--
	}
	return days
}
