// Package ingest turns what comes in into incidents: the one decoder of a
// GeoJSON incident feature (DecodeFeature) that writes, imports and the seed
// share, and the readers of import files (GeoJSON, GeoJSONSeq, ACLED, UCDP),
// streamed one incident at a time. It knows the domain (geo) and orb; it
// knows nothing of HTTP or the database.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"incidentmap/geo"
)

// Reader yields the incidents of an import file one at a time, in constant
// memory. Next returns io.EOF after the last one; any other error is a
// *LineError naming the line and the field. It is an alias of an
// unnamed interface, so that a consumer that declares the same method
// (store.Import does) takes any Reader without importing this package.
type Reader = interface {
	Next() (*geo.Incident, error)
}

// LineError says which line and field of an import file is wrong.
type LineError struct {
	Line  int
	Field string
	Err   error
}

func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Formats of import files.
var Formats = []string{"geojson", "geojsonseq", "acled", "ucdp"}

// newReader reads r in format ("" guesses it from the first bytes); g
// places GeoJSON features without geometry (nil: they stay unplaced).
func newReader(ctx context.Context, format string, r io.Reader, g Gazetteer) (Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if format == "" {
		head, _ := br.Peek(4096)
		format = guessFormat(head)
	}
	switch format {
	case "geojson":
		return newGeoJSONReader(ctx, br, g), nil
	case "geojsonseq":
		return newGeoJSONSeqReader(ctx, br, g), nil
	case "acled":
		return newACLEDReader(br)
	case "ucdp":
		return newUCDPReader(br)
	}
	return nil, geo.Invalid("format", "%q is not an import format (%s)", format, strings.Join(Formats, ", "))
}

// guessFormat tells the formats apart by their first bytes.
func guessFormat(head []byte) string {
	head = bytes.TrimLeft(head, "\ufeff \t\r\n")
	switch {
	case len(head) > 0 && head[0] == 0x1e:
		return "geojsonseq"
	case len(head) > 0 && head[0] == '{':
		line, _, _ := bytes.Cut(head, []byte("\n"))
		if bytes.Contains(line, []byte(`"FeatureCollection"`)) || !bytes.Contains(line, []byte(`"Feature"`)) {
			return "geojson"
		}
		return "geojsonseq"
	case bytes.HasPrefix(head, []byte("event_id_cnty")) || bytes.HasPrefix(head, []byte(`"event_id_cnty"`)):
		return "acled"
	case bytes.HasPrefix(head, []byte("id,")) || bytes.HasPrefix(head, []byte(`"id",`)):
		return "ucdp"
	}
	return "unknown"
}

// ReadChecked reads r in format (guessed when "") and yields incidents
// placed against g when they have a location but no geometry (GeoJSON
// features, by DecodeFeature's rule), and validated; a problem is a
// *LineError naming the line and field.
func ReadChecked(ctx context.Context, format string, r io.Reader, g Gazetteer) (Reader, error) {
	reader, err := newReader(ctx, format, r, g)
	if err != nil {
		return nil, err
	}
	return &checked{r: reader, line: lineOf(reader)}, nil
}

// checked validates every incident its reader yields.
type checked struct {
	r    Reader
	line func() int
}

func (c *checked) Next() (*geo.Incident, error) {
	in, err := c.r.Next()
	if err != nil {
		return nil, err
	}
	if ps := in.Validate(); ps != nil {
		return nil, &LineError{Line: c.line(), Field: ps[0].Field, Err: errors.New(ps.Error())}
	}
	return in, nil
}

// lineError names the line of a feature DecodeFeature refused, and the
// member its error names. DecodeFeature's own errors always name one; an
// error that names none came from the gazetteer, about the location.
func lineError(line int, err error) *LineError {
	var ge *geo.Error
	if errors.As(err, &ge) && ge.Param != "" {
		return &LineError{Line: line, Field: ge.Param, Err: errors.New(ge.Message)}
	}
	return &LineError{Line: line, Field: "location", Err: err}
}

// lineOf reports the line a reader of this package has reached.
func lineOf(r Reader) func() int {
	if l, ok := r.(interface{ line() int }); ok {
		return l.line
	}
	return func() int { return 0 }
}
