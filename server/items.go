package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// items answers /collections/{id}/items.
func (s *Server) items(c echo.Context) error {
	ci, err := s.findCollection(c.Param("collection"))
	if err != nil {
		return err
	}
	if ci.id == "places" {
		return s.placeItems(c)
	}
	return s.incidentItems(c)
}

// item answers /collections/{id}/items/{fid}.
func (s *Server) item(c echo.Context) error {
	ci, err := s.findCollection(c.Param("collection"))
	if err != nil {
		return err
	}
	if err := checkParams(c.QueryParams(), placeOrIncidentItemParams(ci.id)); err != nil {
		return err
	}
	f, err := negotiate(c, fJSON, fHTML)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fid := c.Param("fid")
	var feature featureJSON
	if ci.id == "places" {
		if fresh, err := s.notModified(c, s.places, f); err != nil || fresh {
			return err
		}
		iv, err := parseOptionalInterval(c.QueryParams())
		if err != nil {
			return err
		}
		p, err := s.places.Place(ctx, fid)
		if err != nil {
			return err
		}
		feature = placeFeature(&p, iv.LastInstant(s.now()))
	} else {
		authenticated, err := s.optionalToken(c)
		if err != nil {
			return err
		}
		in, err := s.readIncident(ctx, fid, authenticated)
		if err != nil {
			return err
		}
		// The revision is the entity tag that If-Match takes on writes.
		etag := revisionETag(in.Revision)
		if f == fHTML {
			etag = `"r` + strconv.Itoa(in.Revision) + `-html"`
		}
		c.Response().Header().Set("ETag", etag)
		c.Response().Header().Set("Cache-Control", "public, max-age=0, must-revalidate")
		if authenticated {
			c.Response().Header().Set("Cache-Control", "private, no-cache")
		}
		c.Response().Header().Add("Vary", "Accept, Authorization")
		if ifNoneMatch(c.Request(), etag) {
			return c.NoContent(http.StatusNotModified)
		}
		feature = incidentFeature(&in)
	}
	base := s.baseURL(c) + "/collections/" + ci.id
	self := base + "/items/" + url.PathEscape(fid)
	feature.Links = []link{
		{Href: self, Rel: "self", Type: mediaGeoJSON, Title: "This feature"},
		{Href: self + "?f=html", Rel: "alternate", Type: mediaHTML, Title: "This feature as HTML"},
		{Href: base, Rel: "collection", Type: mediaJSON, Title: "The collection"},
	}
	if f == fHTML {
		return s.renderPage(c, fid, feature)
	}
	return writeJSON(c, mediaGeoJSON, feature)
}

// readIncident reads an incident as the request may see it: whatever its
// status with a token (when the server has an editor), else published.
func (s *Server) readIncident(ctx context.Context, id string, authenticated bool) (geo.Incident, error) {
	if authenticated && s.editor != nil {
		return s.editor.IncidentForEditor(ctx, id)
	}
	return s.incidents.Incident(ctx, id)
}

func placeOrIncidentItemParams(collection string) []string {
	if collection == "places" {
		return []string{"f", "datetime"}
	}
	return onlyFormat
}

func parseOptionalInterval(q url.Values) (geo.Interval, error) {
	if !q.Has("datetime") {
		return geo.Interval{}, nil
	}
	return geo.ParseInterval("datetime", q.Get("datetime"))
}

// writeJSON writes v as the whole body with the given media type.
func writeJSON(c echo.Context, media string, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, media)
	c.Response().WriteHeader(http.StatusOK)
	return json.NewEncoder(c.Response()).Encode(v)
}

// pageLinks returns self, alternate, next (when more is true) and prev links
// of an items page.
func (s *Server) pageLinks(c echo.Context, p geo.Page, more bool) []link {
	with := s.requestWith(c)
	links := []link{
		{Href: with(map[string]string{"f": "json"}), Rel: "self", Type: mediaGeoJSON, Title: "This page"},
		{Href: with(map[string]string{"f": "html"}), Rel: "alternate", Type: mediaHTML, Title: "This page as HTML"},
		{Href: with(map[string]string{"f": "csv", "limit": "", "offset": ""}), Rel: "alternate", Type: mediaCSV, Title: "All matching features as CSV"},
		{Href: with(map[string]string{"f": "geojsonseq", "limit": "", "offset": ""}), Rel: "alternate", Type: mediaGeoJSONSeq, Title: "All matching features as GeoJSON text sequence"},
	}
	limit := strconv.Itoa(p.Limit)
	if more {
		links = append(links, link{Href: with(map[string]string{"f": "json", "limit": limit,
			"offset": strconv.Itoa(p.Offset + p.Limit)}), Rel: "next", Type: mediaGeoJSON, Title: "Next page"})
	}
	if p.Offset > 0 {
		prev := max(p.Offset-p.Limit, 0)
		links = append(links, link{Href: with(map[string]string{"f": "json", "limit": limit,
			"offset": strconv.Itoa(prev)}), Rel: "prev", Type: mediaGeoJSON, Title: "Previous page"})
	}
	return links
}

// requestWith returns the URL of the request with the query parameters of
// set changed (an empty value removes the parameter).
func (s *Server) requestWith(c echo.Context) func(set map[string]string) string {
	u := *c.Request().URL
	base := s.baseURL(c) + u.Path
	return func(set map[string]string) string {
		q := u.Query()
		for k, v := range set {
			if v == "" {
				q.Del(k)
			} else {
				q.Set(k, v)
			}
		}
		if len(q) == 0 {
			return base
		}
		return base + "?" + q.Encode()
	}
}

// extendWriteDeadline lets a long export outlive the server's write timeout.
func extendWriteDeadline(c echo.Context, d time.Duration) {
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Now().Add(d))
}
