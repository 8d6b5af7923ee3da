package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// csvReader yields one incident per row of a CSV export, as row maps it.
type csvReader struct {
	rows *csvRows
	row  func(*csvRows) (*geo.Incident, error)
}

func newCSVReader(r io.Reader, columns []string, row func(*csvRows) (*geo.Incident, error)) (*csvReader, error) {
	rows, err := newCSVRows(r, columns)
	if err != nil {
		return nil, err
	}
	return &csvReader{rows: rows, row: row}, nil
}

func (c *csvReader) line() int { return c.rows.line() }

// Next maps the next row; io.EOF after the last.
func (c *csvReader) Next() (*geo.Incident, error) {
	if err := c.rows.next(); err != nil {
		return nil, err
	}
	return c.row(c.rows)
}

// csvRows reads a CSV file with a header, giving each row's fields by name.
type csvRows struct {
	r      *csv.Reader
	cols   map[string]int
	record []string
	lineNo int
}

func newCSVRows(r io.Reader, required []string) (*csvRows, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &LineError{Line: 1, Err: fmt.Errorf("no CSV header: %v", err)} //nolint:errorlint // the cause is told, not wrapped: the verdict is the line error's
	}
	c := &csvRows{r: cr, cols: map[string]int{}, lineNo: 1}
	for i, h := range header {
		c.cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, name := range required {
		if _, ok := c.cols[name]; !ok {
			return nil, &LineError{Line: 1, Field: name, Err: errors.New("column missing from the header")}
		}
	}
	return c, nil
}

// next reads the next row; io.EOF at the end.
func (c *csvRows) next() error {
	rec, err := c.r.Read()
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.lineNo = pe.Line
			return &LineError{Line: pe.Line, Err: pe.Err}
		}
		return &LineError{Line: c.lineNo + 1, Err: err}
	}
	c.lineNo, _ = c.r.FieldPos(0)
	c.record = rec
	return nil
}

func (c *csvRows) line() int { return c.lineNo }

// get returns a field by column name ("" when the column is absent).
func (c *csvRows) get(name string) string {
	i, ok := c.cols[name]
	if !ok || i >= len(c.record) {
		return ""
	}
	return strings.TrimSpace(c.record[i])
}

func (c *csvRows) fail(field string, format string, args ...any) *LineError {
	return &LineError{Line: c.lineNo, Field: field, Err: fmt.Errorf(format, args...)}
}

// number reads an integer field; empty gives nil.
func (c *csvRows) number(field string) (*int, error) {
	v := c.get(field)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return nil, c.fail(field, "%q is not a non-negative integer", v)
	}
	return &n, nil
}

// point reads latitude and longitude.
func (c *csvRows) point() (orb.Point, error) {
	lat, err1 := strconv.ParseFloat(c.get("latitude"), 64)
	lon, err2 := strconv.ParseFloat(c.get("longitude"), 64)
	switch {
	case err1 != nil || lat < -90 || lat > 90:
		return orb.Point{}, c.fail("latitude", "%q is not a latitude", c.get("latitude"))
	case err2 != nil || lon < -180 || lon > 180:
		return orb.Point{}, c.fail("longitude", "%q is not a longitude", c.get("longitude"))
	}
	return orb.Point{lon, lat}, nil
}

// date reads a date as ACLED and UCDP write them.
func (c *csvRows) date(field string) (time.Time, error) {
	v := c.get(field)
	for _, layout := range []string{time.DateOnly, "2 January 2006", "02 January 2006", "2006-01-02 15:04:05.000",
		"2006-01-02 15:04:05", "1/2/2006", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, c.fail(field, "%q is not a date (YYYY-MM-DD)", v)
}

// snake turns "Explosions/Remote violence" into "explosions_remote_violence".
func snake(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		} else {
			under = true
		}
	}
	return b.String()
}

// splitList splits "a; b;c" into its non-empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func endOfDay(t time.Time) time.Time { return t.Add(24*time.Hour - time.Second) }
