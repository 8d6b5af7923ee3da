package server

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
	"incidentmap/render"
)

var (
	oembedParams = []string{"url", "maxwidth", "maxheight", "format"}
	// embedParams are the parameters a viewer or embed URL may carry
	// (interface.md): the filters, the view, lang, theme, highlight, and the
	// embed's own title, interactive and slider.
	embedParams = slices.Concat([]string{"lang", "theme", "highlight", "title", "interactive", "slider", "live"}, incidentFilterParams)
)

// The size of an embed when the consumer sets no maximum, and how long a
// consumer may cache the answer (the embed itself shows live data).
const (
	embedWidth, embedHeight = 800, 650 // the embed at 800 px wide, so the frame does not scroll
	oembedCacheAge          = 3600
)

// oembedAnswer is an oEmbed 1.0 "rich" response.
type oembedAnswer struct {
	Version         string `json:"version"`
	Type            string `json:"type"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	Title           string `json:"title"`
	Description     string `json:"description,omitempty"` // the view told from its data
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
	CacheAge        int    `json:"cache_age"`
}

// oembed answers /oembed (oEmbed 1.0) for a viewer (/) or embed (/embed)
// URL of this server: an iframe of /embed with the same query, at most
// maxwidth x maxheight, with the /map.png of the same view as thumbnail.
// Any other URL is 404; format=xml is 501.
func (s *Server) oembed(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, oembedParams); err != nil {
		return err
	}
	switch f := q.Get("format"); f {
	case "", "json":
	case "xml":
		return echo.NewHTTPError(http.StatusNotImplemented, "format=xml is not implemented: ask for format=json")
	default:
		return geo.Invalid("format", "%q is not an oEmbed format (json)", safe(f))
	}
	maxW, maxH, err := oembedMax(q)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	inner, err := embeddedQuery(q, base)
	if err != nil {
		return err
	}
	lang, _ := parseLang(inner, "") // the page's lang, else English: the answer does not vary
	words := s.pageWords(c.Request().Context(), inner, lang)
	title := strings.TrimSpace(inner.Get("title"))
	if title == "" {
		title = words.caption
	}
	w, h := fit(embedWidth, embedHeight, maxW, maxH)
	src := base + "/embed"
	if len(inner) > 0 {
		src += "?" + inner.Encode()
	}
	a := oembedAnswer{Version: "1.0", Type: "rich", ProviderName: "incidentmap", ProviderURL: base + "/",
		Title: title, Description: words.description, Width: w, Height: h, CacheAge: oembedCacheAge,
		HTML: fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy" style="border:0" `+
			`allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>`+
			`<script async src="%s"></script>`, // resizes the frame to its content
			html.EscapeString(src), w, h, html.EscapeString(title), html.EscapeString(base+"/embed.js"))}
	if tw, th := fit(render.DefaultWidth, render.DefaultHeight, maxW, maxH); tw >= render.MinWidth && th >= render.MinHeight {
		a.ThumbnailURL, a.ThumbnailWidth, a.ThumbnailHeight = base+"/map.png?"+thumbnailQuery(inner, tw, th).Encode(), tw, th
	}
	c.Response().Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", oembedCacheAge))
	return c.JSON(http.StatusOK, a)
}

// oembedMax reads maxwidth and maxheight (0: no maximum).
func oembedMax(q url.Values) (w, h int, err error) {
	if q.Has("maxwidth") {
		if w, err = parseInt(q.Get("maxwidth"), "maxwidth", 1, 100_000); err != nil {
			return 0, 0, err
		}
	}
	if q.Has("maxheight") {
		if h, err = parseInt(q.Get("maxheight"), "maxheight", 1, 100_000); err != nil {
			return 0, 0, err
		}
	}
	return w, h, nil
}

// embeddedQuery checks that url is a viewer or embed URL of the server at
// base, and returns its query. Anything else is a 404: this provider has
// no embed for it.
func embeddedQuery(q url.Values, base string) (url.Values, error) {
	raw := q.Get("url")
	if raw == "" {
		return nil, geo.Invalid("url", "is required: the address of a map of this site (%s/?... or %s/embed?...)", base, base)
	}
	u, err := url.Parse(raw)
	b, _ := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || b == nil || !strings.EqualFold(u.Host, b.Host) {
		return nil, geo.NotFound("no embed for this URL: only maps of %s are embedded here", base)
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "" && p != "/embed" {
		return nil, geo.NotFound("no embed for this URL: only the map (/) and embed (/embed) pages are embedded")
	}
	inner, err := url.ParseQuery(u.RawQuery)
	if err == nil {
		err = checkParams(inner, embedParams)
	}
	if err == nil {
		err = viewerParams(inner)
	}
	if err != nil {
		return nil, geo.NotFound("no embed for this URL: %v", err)
	}
	return inner, nil
}

// fit scales w x h down, keeping its proportions, to at most maxW x maxH
// (0: no maximum).
func fit(w, h, maxW, maxH int) (int, int) {
	fw, fh := float64(w), float64(h)
	if maxW > 0 && fw > float64(maxW) {
		fw, fh = float64(maxW), fh*float64(maxW)/fw
	}
	if maxH > 0 && fh > float64(maxH) {
		fw, fh = fw*float64(maxH)/fh, float64(maxH)
	}
	return max(1, int(math.Floor(fw))), max(1, int(math.Floor(fh)))
}

// thumbnailQuery is the /map.png query of an embed's view and filters.
func thumbnailQuery(inner url.Values, w, h int) url.Values {
	out := url.Values{}
	for _, name := range mapParams {
		if inner.Has(name) {
			out.Set(name, inner.Get(name))
		}
	}
	if out.Get("theme") == "auto" {
		out.Del("theme")
	}
	out.Set("width", fmt.Sprint(w))
	out.Set("height", fmt.Sprint(h))
	return out
}
