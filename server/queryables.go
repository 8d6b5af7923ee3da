package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

const (
	mediaSchema   = "application/schema+json"
	relQueryables = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
)

// queryablesOf are the queryables of each collection.
var queryablesOf = map[string][]geo.Queryable{"incidents": geo.IncidentQueryables, "places": geo.PlaceQueryables}

// queryables answers /collections/{id}/queryables (OGC API Features Part 3):
// the JSON Schema of the properties a filter may name. The document only changes with the code (and the
// base URL in $id), so its entity tag is a hash of the body.
func (s *Server) queryables(c echo.Context) error {
	ci, err := s.findCollection(c.Param("collection"))
	if err != nil {
		return err
	}
	f, err := jsonOrHTML(c)
	if err != nil {
		return err
	}
	self := s.baseURL(c) + "/collections/" + ci.id + "/queryables"
	doc := queryablesSchema(self, ci.title, queryablesOf[ci.id])
	if f == fHTML {
		return s.renderPage(c, ci.title+": queryables", doc)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	h.Add("Vary", "Accept")
	if ifNoneMatch(c.Request(), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, mediaSchema, body)
}

// queryablesSchema is the JSON Schema (2020-12) of a collection's
// queryables: an object whose properties are the queryables, and nothing
// else.
func queryablesSchema(id, title string, list []geo.Queryable) map[string]any {
	props := make(orderedObject, 0, len(list))
	for _, q := range list {
		props = append(props, member{q.Name, queryableSchema(q)})
	}
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  id,
		"type":                 "object",
		"title":                title,
		"properties":           props,
		"additionalProperties": false,
	}
}

// queryableSchema is the JSON Schema of one queryable.
func queryableSchema(q geo.Queryable) map[string]any {
	out := map[string]any{"title": q.Title}
	set := func(key, v string) {
		if v != "" {
			out[key] = v
		}
	}
	set("description", q.Description)
	set("type", q.Type)
	set("format", q.Format)
	set("x-ogc-role", q.Role)
	if q.Items != "" {
		out["items"] = map[string]string{"type": q.Items}
	}
	if len(q.Enum) > 0 {
		out["enum"] = q.Enum
	}
	if q.Minimum != nil {
		out["minimum"] = *q.Minimum
	}
	return out
}

// orderedObject is a JSON object whose members keep their order.
type orderedObject []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	out := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			out = append(out, ',')
		}
		k, _ := json.Marshal(m.key)
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}'), nil
}
