package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"incidentmap/geo"
)

// geojsonReader streams the features of a FeatureCollection without reading
// the whole collection into memory.
type geojsonReader struct {
	ctx     context.Context
	places  Gazetteer
	dec     *json.Decoder
	started bool
	n       int
}

func newGeoJSONReader(ctx context.Context, r io.Reader, g Gazetteer) *geojsonReader {
	return &geojsonReader{ctx: ctx, places: g, dec: json.NewDecoder(r)}
}

// line is the feature number for a FeatureCollection (one feature may span
// many lines; errors name the feature's position).
func (g *geojsonReader) line() int { return g.n }

func (g *geojsonReader) Next() (*geo.Incident, error) {
	if !g.started {
		if err := g.seekFeatures(); err != nil {
			return nil, err
		}
		g.started = true
	}
	if !g.dec.More() {
		return nil, io.EOF
	}
	g.n++
	var raw json.RawMessage
	if err := g.dec.Decode(&raw); err != nil {
		return nil, &LineError{Line: g.n, Err: fmt.Errorf("feature %d: %v", g.n, err)} //nolint:errorlint // the cause is told, not wrapped: the verdict is the line error's
	}
	return decodeLine(g.ctx, raw, g.n, g.places)
}

// seekFeatures walks the top-level object to the "features" array.
func (g *geojsonReader) seekFeatures() error {
	if t, err := g.dec.Token(); err != nil || t != json.Delim('{') {
		return &LineError{Line: 1, Err: errors.New("not a GeoJSON FeatureCollection")}
	}
	for g.dec.More() {
		key, err := g.dec.Token()
		if err != nil {
			return &LineError{Line: 1, Err: err}
		}
		if key == "features" {
			if t, err := g.dec.Token(); err != nil || t != json.Delim('[') {
				return &LineError{Line: 1, Field: "features", Err: errors.New("must be an array")}
			}
			return nil
		}
		var skip json.RawMessage
		if err := g.dec.Decode(&skip); err != nil {
			return &LineError{Line: 1, Err: err}
		}
	}
	return &LineError{Line: 1, Field: "features", Err: errors.New("missing")}
}

// geojsonSeqReader reads RFC 8142 text sequences, and plain newline-
// delimited GeoJSON features too.
type geojsonSeqReader struct {
	ctx    context.Context
	places Gazetteer
	sc     *bufio.Scanner
	n      int
}

func newGeoJSONSeqReader(ctx context.Context, r io.Reader, g Gazetteer) *geojsonSeqReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	return &geojsonSeqReader{ctx: ctx, places: g, sc: sc}
}

func (g *geojsonSeqReader) line() int { return g.n }

func (g *geojsonSeqReader) Next() (*geo.Incident, error) {
	for g.sc.Scan() {
		g.n++
		b := bytes.TrimSpace(bytes.TrimLeft(g.sc.Bytes(), "\x1e"))
		if len(b) == 0 {
			continue
		}
		return decodeLine(g.ctx, b, g.n, g.places)
	}
	if err := g.sc.Err(); err != nil {
		return nil, &LineError{Line: g.n + 1, Err: err}
	}
	return nil, io.EOF
}

// decodeLine decodes one feature of an import by the one rule of
// DecodeFeature (an id required), as a *LineError naming line and member.
func decodeLine(ctx context.Context, raw []byte, line int, g Gazetteer) (*geo.Incident, error) {
	in, err := DecodeFeature(ctx, raw, Options{Gazetteer: g})
	if err != nil {
		return nil, lineError(line, err)
	}
	return &in, nil
}
