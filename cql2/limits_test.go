package cql2

import (
	"strings"
	"testing"
)

// TestVertexLimit parses below Parse's length limit, which alone keeps
// today's filters under MaxVertices: the vertex limit holds should the
// length limit grow (a filter in a POST body, say).
func TestVertexLimit(t *testing.T) {
	q := Queryables{"g": Geometry}
	line := "S_INTERSECTS(g, LINESTRING(" + strings.Repeat("1 1,", MaxVertices) + "2 2))"
	if _, err := parseText(line, q); err == nil || !strings.Contains(err.Error(), "more than 10000 vertices") {
		t.Errorf("text: %v", err)
	}
	points := `{"op":"s_intersects","args":[{"property":"g"},{"type":"MultiPoint","coordinates":[` +
		strings.Repeat("[1,1],", MaxVertices) + `[2,2]]}]}`
	if _, err := parseJSON(points, q); err == nil || !strings.Contains(err.Error(), "more than 10000 vertices") {
		t.Errorf("json: %v", err)
	}
}
