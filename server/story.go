package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
	"incidentmap/render"
	"incidentmap/story"
)

// The words of a view (package story): its caption, which names the
// places of what is shown, and its text description, written from the
// incidents of the view and their claims. /map.png draws the caption and
// links /map.txt, its text twin; the embed's and the viewer's pages and
// the oEmbed answer carry both.

// storyReader reads a story's incidents: the tile index lists the most
// significant ones when it can (PostGIS otherwise), and PostGIS reads them,
// with their claims, by id. While the index loads it is EUnavailable, as
// /map.png is: PostGIS would sort every incident of the view.
type storyReader struct{ s *Server }

func (r storyReader) Significant(ctx context.Context, f geo.Filter, n int) ([]geo.Incident, int, bool, error) {
	if r.s.index != nil {
		if ready, _ := r.s.index.Status(); !ready {
			return nil, 0, false, errIndexLoading
		}
	}
	list, count, err := r.s.incidentPage(ctx, f, geo.Page{Limit: n, Sort: story.Significance})
	return list, count.n, !count.exact, err
}

func (r storyReader) Incident(ctx context.Context, id string) (geo.Incident, error) {
	return r.s.incidents.Incident(ctx, id)
}

func (r storyReader) Place(ctx context.Context, id string) (geo.Place, error) {
	if r.s.places == nil {
		return geo.Place{}, geo.NotFound("no gazetteer here")
	}
	return r.s.places.Place(ctx, id)
}

// viewStory reads the story of the incidents matching f, in lang;
// highlight ("" for none) is the incident the view is about. Without an
// incident reader it is ENotFound.
func (s *Server) viewStory(ctx context.Context, lang string, f geo.Filter, highlight string) (story.View, error) {
	if s.incidents == nil {
		return story.View{}, geo.NotFound("descriptions of maps are not written here")
	}
	return story.Load(ctx, storyReader{s}, lang, f, highlight)
}

// viewWords are the words of a page's view: its caption and description.
type viewWords struct{ caption, description string }

// pageWords are the words of the view of a viewer or embed URL's query q
// (its filters, bbox, highlight) in lang: the view is the area of the
// still image of the embed (/map.png of the same bbox at
// stillWidth x stillHeight). When they cannot be read within
// captionTimeout, the caption goes without places and the description
// is the caption (the page shows all the same).
func (s *Server) pageWords(ctx context.Context, q url.Values, lang string) viewWords {
	f, _ := parseFilter(q)
	fallback := viewWords{caption: render.Caption(lang, "", f)}
	fallback.description = fallback.caption
	if f.BBox != nil && s.maps != nil {
		m, err := s.maps.r.NewMap(render.Request{Width: stillWidth, Height: stillHeight, BBox: f.BBox, Filter: f, Lang: lang})
		if err != nil {
			return fallback
		}
		area := m.Bounds()
		f.BBox = &area
	}
	ctx, cancel := context.WithTimeout(ctx, captionTimeout)
	defer cancel()
	v, err := s.viewStory(ctx, lang, f, q.Get("highlight"))
	if err != nil {
		s.log.Warn("the page's caption goes without its places", "err", err)
		return fallback
	}
	return viewWords{caption: story.Caption(v), description: story.Describe(v)}
}

// mapText answers /map.txt, the text twin of /map.png with the same
// parameters: the image's headline (the title, then the caption), a blank
// line and the description of the view, as UTF-8 plain text.
func (s *Server) mapText(c echo.Context) error {
	q := c.QueryParams()
	req, f, err := parseMapRequest(q, c.Request().Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	req.Now = s.now()
	ctx, cancel := context.WithTimeout(c.Request().Context(), mapTimeout)
	defer cancel()
	switch { // without a view, the image shows every incident: no area to compute
	case req.BBox == nil && req.Center == nil:
	case s.maps != nil:
		m, err := s.maps.r.NewMap(req)
		if err != nil {
			return err
		}
		area := m.Bounds()
		f.BBox = &area
	case req.BBox != nil:
		f.BBox = req.BBox
	}
	v, err := s.viewStory(ctx, req.Lang, f, "")
	if err != nil {
		return err
	}
	var b strings.Builder
	if req.Title != "" {
		b.WriteString(req.Title + "\n")
	}
	b.WriteString(story.Caption(v) + "\n\n" + story.Describe(v) + "\n")
	h := c.Response().Header()
	h.Set("Cache-Control", "public, no-cache")
	if !q.Has("lang") {
		h.Add("Vary", "Accept-Language")
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// describedBy links /map.png to its text twin, /map.txt with the same
// query (RFC 8288 Link, rel describedby).
func describedBy(c echo.Context) {
	link := "/map.txt"
	if raw := c.Request().URL.RawQuery; raw != "" {
		link += "?" + raw
	}
	c.Response().Header().Set("Link", "<"+strings.ReplaceAll(link, ">", "%3E")+`>; rel="describedby"; type="text/plain"`)
}
