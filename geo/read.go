package geo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Reader yields the incidents of an import file one at a time, in constant
// memory. Next returns io.EOF after the last one; any other error is a
// *LineError naming the line and the field.
type Reader interface {
	Next() (*Incident, error)
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

// NewReader reads r in format ("" guesses it from the first bytes).
func NewReader(format string, r io.Reader) (Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if format == "" {
		head, _ := br.Peek(4096)
		format = guessFormat(head)
	}
	switch format {
	case "geojson":
		return newGeoJSONReader(br), nil
	case "geojsonseq":
		return newGeoJSONSeqReader(br), nil
	case "acled":
		return newACLEDReader(br)
	case "ucdp":
		return newUCDPReader(br)
	}
	return nil, Invalid("format", "%q is not an import format (%s)", format, strings.Join(Formats, ", "))
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

// Gazetteer finds the one place a name means (see store.Geocode).
type Gazetteer interface {
	Geocode(ctx context.Context, name, country, admin string) (Place, error)
}

// ReadChecked reads r in format (guessed when "") and yields incidents that
// are placed against g when they have a location but no geometry, and
// validated; a problem is a *LineError naming the line and field.
func ReadChecked(ctx context.Context, format string, r io.Reader, g Gazetteer) (Reader, error) {
	reader, err := NewReader(format, r)
	if err != nil {
		return nil, err
	}
	return Checked(reader, Line(reader), func(in *Incident) error {
		p, err := g.Geocode(ctx, in.Location, in.Country, in.Admin1)
		if err != nil {
			return err
		}
		PlaceAt(in, p)
		return nil
	}), nil
}

// Checked wraps r: an incident without geometry but with a location is
// placed by geocode, and every incident is validated; problems come back as
// a *LineError naming the first bad field. line reports where r is.
func Checked(r Reader, line func() int, geocode func(*Incident) error) Reader {
	return &checked{r: r, line: line, geocode: geocode}
}

type checked struct {
	r       Reader
	line    func() int
	geocode func(*Incident) error
}

func (c *checked) Next() (*Incident, error) {
	in, err := c.r.Next()
	if err != nil {
		return nil, err
	}
	if in.Geometry == nil && in.Location != "" && c.geocode != nil {
		if err := c.geocode(in); err != nil {
			var ge *Error
			if errors.As(err, &ge) && ge.Param != "" {
				return nil, &LineError{Line: c.line(), Field: ge.Param, Err: errors.New(ge.Message)}
			}
			return nil, &LineError{Line: c.line(), Field: "location", Err: err}
		}
	}
	if ps := in.Validate(); ps != nil {
		return nil, &LineError{Line: c.line(), Field: ps[0].Field, Err: errors.New(ps.Error())}
	}
	return in, nil
}

// Line reports the line a reader of this package has reached, for Checked.
func Line(r Reader) func() int {
	if l, ok := r.(interface{ line() int }); ok {
		return l.line
	}
	return func() int { return 0 }
}
