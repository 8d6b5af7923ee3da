package server

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// link is an OGC API / RFC 8288 link.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

const (
	mediaJSON       = "application/json"
	mediaGeoJSON    = "application/geo+json"
	mediaGeoJSONSeq = "application/geo+json-seq"
	mediaCSV        = "text/csv; charset=utf-8"
	mediaHTML       = "text/html; charset=utf-8"
	mediaOpenAPI    = "application/vnd.oai.openapi+json;version=3.0"
)

// conformanceClasses are the OGC API - Features classes we implement: Part 1,
// and Part 3's queryables and filtering with the CQL2 classes package cql2
// passes (not spatial-functions, not arithmetic).
var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
}

// landing answers / : the OGC API landing page for JSON clients, the web
// page for browsers.
func (s *Server) landing(c echo.Context) error {
	if err := checkParams(c.QueryParams(), append([]string{"f", "lang", "theme", "highlight", "order"}, incidentFilterParams...)); err != nil {
		return err
	}
	f, err := negotiate(c, fHTML, fJSON)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	links := []link{
		{Href: base + "/?f=json", Rel: "self", Type: mediaJSON, Title: "This document"},
		{Href: base + "/?f=html", Rel: "alternate", Type: mediaHTML, Title: "The map viewer"},
		{Href: base + "/api", Rel: "service-desc", Type: mediaOpenAPI, Title: "The OpenAPI 3 definition"},
		{Href: base + "/api.html", Rel: "service-doc", Type: mediaHTML, Title: "The API documentation"},
		{Href: base + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "Conformance classes"},
		{Href: base + "/collections", Rel: "data", Type: mediaJSON, Title: "Collections"},
	}
	links = append(links, s.landingTileLinks(base)...)
	if f == fHTML {
		return s.viewerPage(c)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"title":       "incidentmap",
		"description": "Geocoded conflict incidents in the Sahel, with their sources and competing claims.",
		"links":       links,
	})
}

func (s *Server) conformance(c echo.Context) error {
	f, err := jsonOrHTML(c)
	if err != nil {
		return err
	}
	if f == fHTML {
		return s.renderPage(c, "Conformance", s.conformsTo())
	}
	return c.JSON(http.StatusOK, map[string]any{"conformsTo": s.conformsTo()})
}

//go:embed openapi.json
var openAPI string

// apiDoc answers the OpenAPI 3 document, with the server URL filled in.
func (s *Server) apiDoc(c echo.Context) error {
	if _, err := jsonOrHTML(c); err != nil {
		return err
	}
	if c.QueryParam("f") == fHTML {
		return s.apiDocHTML(c)
	}
	quoted, _ := json.Marshal(s.baseURL(c))
	doc := strings.ReplaceAll(openAPI, `"{{BASE_URL}}"`, string(quoted))
	return c.Blob(http.StatusOK, mediaOpenAPI, []byte(doc))
}
