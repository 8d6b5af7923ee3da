package server

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// collectionInfo describes one collection; extents come from its reader.
type collectionInfo struct {
	id, title, description string
	extent                 func(context.Context) (geo.Extent, error)
}

// collectionInfos are the collections the server was given a reader of.
func (s *Server) collectionInfos() []collectionInfo {
	var list []collectionInfo
	if s.incidents != nil {
		list = append(list, collectionInfo{id: "incidents", title: "Incidents",
			description: "Killings, attacks and other conflict events, each with its time interval, location precision, " +
				"competing casualty claims (who claimed what, when) and sources.",
			extent: s.incidents.IncidentExtent})
	}
	if s.places != nil {
		list = append(list, collectionInfo{id: "places", title: "Places",
			description: "Towns, villages and military bases, with who held each base and when. " +
				"With datetime, holder is the holder at the window's end.",
			extent: s.places.PlaceExtent})
	}
	return list
}

func (s *Server) findCollection(id string) (collectionInfo, error) {
	for _, ci := range s.collectionInfos() {
		if ci.id == id {
			return ci, nil
		}
	}
	return collectionInfo{}, geo.NotFound("no collection %q (there are incidents and places)", safe(id))
}

// collectionJSON is the OGC API collection document.
type collectionJSON struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Extent      map[string]any `json:"extent"`
	ItemType    string         `json:"itemType"`
	CRS         []string       `json:"crs"`
	Links       []link         `json:"links"`
}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

func (s *Server) describeCollection(c echo.Context, ci collectionInfo, tileQuery string) (collectionJSON, error) {
	ext, err := ci.extent(c.Request().Context())
	if err != nil {
		return collectionJSON{}, err
	}
	base := s.baseURL(c) + "/collections/" + ci.id
	spatial := map[string]any{"crs": crs84}
	if ext.BBox != nil {
		spatial["bbox"] = [][]float64{{ext.BBox.MinLon, ext.BBox.MinLat, ext.BBox.MaxLon, ext.BBox.MaxLat}}
	}
	interval := []*string{timeOrNil(ext.Start), timeOrNil(ext.End)}
	cj := collectionJSON{
		ID: ci.id, Title: ci.title, Description: ci.description, ItemType: "feature", CRS: []string{crs84},
		Extent: map[string]any{
			"spatial":  spatial,
			"temporal": map[string]any{"interval": [][]*string{interval}, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
		},
		Links: append([]link{
			{Href: base + tileQuery, Rel: "self", Type: mediaJSON, Title: "This collection"},
			{Href: base + "?f=html", Rel: "alternate", Type: mediaHTML, Title: "This collection as HTML"},
			{Href: base + "/items", Rel: "items", Type: mediaGeoJSON, Title: "Features as GeoJSON"},
			{Href: base + "/items?f=html", Rel: "items", Type: mediaHTML, Title: "Features as HTML"},
			{Href: base + "/items?f=geojsonseq", Rel: "items", Type: mediaGeoJSONSeq, Title: "All features as GeoJSON text sequence"},
			{Href: base + "/items?f=csv", Rel: "items", Type: mediaCSV, Title: "All features as CSV"},
			{Href: base + "/queryables", Rel: relQueryables, Type: mediaSchema, Title: "The properties filters may name"},
		}, ci.fileLinks(base)...),
	}
	cj.Links = append(cj.Links, s.collectionTileLinks(base, tileQuery)...)
	return cj, nil
}

func timeOrNil(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func (s *Server) collections(c echo.Context) error {
	f, err := jsonOrHTML(c)
	if err != nil {
		return err
	}
	var list []collectionJSON
	for _, ci := range s.collectionInfos() {
		cj, err := s.describeCollection(c, ci, "")
		if err != nil {
			return err
		}
		list = append(list, cj)
	}
	if f == fHTML {
		return s.renderPage(c, "Collections", list)
	}
	base := s.baseURL(c)
	return c.JSON(http.StatusOK, map[string]any{
		"links": []link{
			{Href: base + "/collections", Rel: "self", Type: mediaJSON, Title: "This document"},
			{Href: base + "/collections?f=html", Rel: "alternate", Type: mediaHTML, Title: "This document as HTML"},
		},
		"collections": list,
	})
}

// collection answers /collections/{id}: the collection's document. It
// takes the filters of the collection's tiles too, and carries them into
// its links to its tilesets (collectionTileFilters).
func (s *Server) collection(c echo.Context) error {
	ci, err := s.findCollection(c.Param("collection"))
	if err != nil {
		return err
	}
	filters, err := s.collectionTileFilters(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	if err := checkParams(q, append(slices.Clone(onlyFormat), filters...)); err != nil {
		return err
	}
	f, err := negotiate(c, fJSON, fHTML)
	if err != nil {
		return err
	}
	tileQuery, err := tileFilterQuery(q, filters)
	if err != nil {
		return err
	}
	cj, err := s.describeCollection(c, ci, tileQuery)
	if err != nil {
		return err
	}
	c.Response().Header().Add("Link", "<"+s.baseURL(c)+"/collections/"+ci.id+`/queryables>; rel="`+relQueryables+`"`)
	if f == fHTML {
		return s.renderPage(c, cj.Title, cj)
	}
	return c.JSON(http.StatusOK, cj)
}
