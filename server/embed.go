package server

import (
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// The embed (/embed) is the map for articles: the viewer's map without the
// site around it, a caption, a credit line and the list of incidents
// (static/src/embed.html, js/embed.js). Any site may frame it: its
// Content-Security-Policy says frame-ancestors *, and nothing sets
// X-Frame-Options or a cookie. /embed.js is the script a framing page
// includes to let the embed set its own height.

// Sizes of the images of an embed: the social card (og:image) and the
// still map the page shows first (8:5, like the embed's map on a phone).
const (
	cardWidth, cardHeight   = 1200, 630
	stillWidth, stillHeight = 800, 500
	captionTimeout          = 3 * time.Second
)

// stillWidths are the widths of the still map offered in its srcset, for
// frames of 400 pixels at one to three device pixels per CSS pixel.
var stillWidths = []int{400, 800, 1200}

// embedOnly are the parameters of /embed that the viewer (/) does not take;
// the full map keeps the rest, as_of included (the same data).
var embedOnly = []string{"title", "interactive", "slider", "live"}

// parseEmbed reads the embed's page template; nil (and a warning) when the
// build has none, and /embed answers 404.
func parseEmbed(fsys fs.FS, log *slog.Logger) *template.Template {
	page, err := template.ParseFS(fsys, "embed.html", partialsTemplate)
	if err != nil {
		log.Warn("the embed is not built (make web); /embed answers 404", "err", err)
		return nil
	}
	return page
}

// embedData fills embed.html.
type embedData struct {
	Lang, Theme       string
	Headline, Detail  string // the title (else the caption), and the caption under a title
	Caption           string // "Incidents in Moura, 27-31 March 2022"
	Description       string // the view told from its data (package story): alt of its images, page description
	Page, OEmbed      string // this page's URL and its oEmbed URL
	Image             string // the social card: /map.png of the same view, 1200x630
	ImageStill        string // the still map the page shows first, stillWidth x stillHeight
	StillSet          string // its srcset: the same map at stillWidths
	ImageDark, Viewer string // the still map's dark twin when the theme is auto; the full viewer
	StillDarkSet      string // the dark twin's srcset
	StillWidth        int
	StillHeight       int
	Load              string // when the interactive map loads: "click", "visible" (interactive=1) or "never" (0)
	Slider            bool
}

// SocialTitle is the title of the page's social card (partials.html).
func (d embedData) SocialTitle() string { return d.Headline }

// embedPage answers /embed. The page reads its state from the query string
// itself; the server writes what must be right before any script runs or
// without one: the language, the theme, the caption, the social card and
// the oEmbed link.
func (s *Server) embedPage(c echo.Context) error {
	q := c.QueryParams()
	if err := checkEmbedParams(q); err != nil {
		return err
	}
	if s.viewer.embed == nil {
		return geo.NotFound("the embed is not built (make web)")
	}
	lang, err := parseLang(q, c.Request().Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	vary := ""
	if !q.Has("lang") {
		vary = "Accept-Language"
	}
	return writePage(c, s.viewer.embed, s.embedData(c, q, lang), s.viewer.cspFramedBy("*"), vary)
}

// checkEmbedParams refuses what /embed does not take: unknown parameters,
// malformed filters, and interactive, slider, live (0 or 1) or title (1-200
// characters) out of range.
func checkEmbedParams(q url.Values) error {
	if err := checkParams(q, embedParams); err != nil {
		return err
	}
	if err := viewerParams(q); err != nil {
		return err
	}
	for _, name := range []string{"interactive", "slider", "live"} {
		if v := q.Get(name); q.Has(name) && v != "0" && v != "1" {
			return geo.Invalid(name, "%q is not 0 or 1", safe(v))
		}
	}
	if t := strings.TrimSpace(q.Get("title")); q.Has("title") && (t == "" || utf8.RuneCountInString(t) > maxTitleLen) {
		return geo.Invalid("title", "must be 1-%d characters", maxTitleLen)
	}
	return nil
}

func (s *Server) embedData(c echo.Context, q url.Values, lang string) embedData {
	base := s.baseURL(c)
	d := embedData{Lang: lang, Theme: q.Get("theme"), Slider: q.Get("slider") == "1", Page: base + "/embed",
		StillWidth: stillWidth, StillHeight: stillHeight, Load: embedLoad[q.Get("interactive")]}
	if d.Theme == "" {
		d.Theme = "auto"
	}
	if raw := c.Request().URL.RawQuery; raw != "" {
		d.Page += "?" + raw
	}
	d.OEmbed = base + "/oembed?url=" + url.QueryEscape(d.Page)
	words := s.pageWords(c.Request().Context(), q, lang)
	d.Caption, d.Description = words.caption, words.description
	d.Headline = strings.TrimSpace(q.Get("title"))
	if d.Headline == "" {
		d.Headline = d.Caption
	} else {
		d.Detail = d.Caption
	}
	img := maps.Clone(q)
	img.Set("lang", lang)
	d.Image = base + "/map.png?" + readable(thumbnailQuery(img, cardWidth, cardHeight))
	d.ImageStill, d.StillSet = stillImages(base, img)
	if d.Theme == "auto" {
		img.Set("theme", "dark")
		d.ImageDark, d.StillDarkSet = stillImages(base, img)
	}
	viewer := maps.Clone(q)
	for _, name := range embedOnly {
		viewer.Del(name)
	}
	d.Viewer = base + "/"
	if len(viewer) > 0 {
		d.Viewer += "?" + readable(viewer)
	}
	return d
}

// embedLoad is when the embed's interactive map loads, by the value of
// interactive: on the reader's request by default, once the frame is
// visible with 1, never with 0.
var embedLoad = map[string]string{"": "click", "1": "visible", "0": "never"}

// stillImages are the URL of the still map of the view q (/map.png at
// stillWidth x stillHeight) and its srcset at stillWidths, same shape.
func stillImages(base string, q url.Values) (src, srcset string) {
	set := make([]string, len(stillWidths))
	for i, w := range stillWidths {
		set[i] = fmt.Sprintf("%s/map.png?%s %dw", base, readable(thumbnailQuery(q, w, w*stillHeight/stillWidth)), w)
	}
	return base + "/map.png?" + readable(thumbnailQuery(q, stillWidth, stillHeight)), strings.Join(set, ", ")
}

// readable encodes q as the viewer writes its permalinks: "/" and "," as
// they are, spaces as %20 (Encode writes a plus sign as %2B).
func readable(q url.Values) string {
	return strings.NewReplacer("%2F", "/", "%2C", ",", "+", "%20").Replace(q.Encode())
}

// oembedLink is the oEmbed URL of the page requested (discovery, in the
// viewer's and the embed's <head>). The viewer's f=html is not a parameter
// of an embed, so it is left out of the page's URL.
func (s *Server) oembedLink(c echo.Context) string {
	base := s.baseURL(c)
	q := maps.Clone(c.QueryParams())
	q.Del("f")
	page := base + c.Request().URL.Path
	if len(q) > 0 {
		page += "?" + q.Encode()
	}
	return base + "/oembed?url=" + url.QueryEscape(page)
}

// embedScript answers /embed.js, the script for pages that frame embeds:
// it sets each embed's iframe to the height the embed posts.
func (s *Server) embedScript(c echo.Context) error {
	if len(c.QueryParams()) > 0 {
		return checkParams(c.QueryParams(), nil)
	}
	return s.serveFile(c, "embed-host.js", "public, max-age=3600")
}
