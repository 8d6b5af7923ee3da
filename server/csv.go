package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"incidentmap/geo"
)

// incidentCSVHeader names the CSV columns. longitude/latitude are the point
// (or the centroid of a line or area); WKT is the full geometry, which GDAL
// and QGIS read directly. claims and sources are JSON arrays.
var incidentCSVHeader = []string{"id", "title", "summary", "location", "country", "admin1", "admin2",
	"event_type", "sub_event_type", "starts_at", "ends_at", "date_precision", "geo_precision",
	"fatalities_low", "fatalities_best", "fatalities_high", "actors", "status", "updated_at",
	"longitude", "latitude", "WKT", "claims", "sources"}

// streamCSV writes every match as CSV (RFC 4180, UTF-8), row by row, until
// ctx ends or a write makes no progress for idle; with a selection, only
// its columns (see propertySelection.csvHeader).
func (s *Server) streamCSV(ctx context.Context, c echo.Context, idle time.Duration, f geo.Filter, p geo.Page,
	sel *propertySelection) error {
	w := startLater(c, mediaCSV, "incidents.csv")
	w.deadline = newWriteDeadline(ctx, c, idle)
	cw := csv.NewWriter(w)
	header, row := incidentCSVHeader, incidentCSVRow
	if sel != nil {
		header = sel.csvHeader(incidentCSV)
		row = func(in *geo.Incident) []string { return sel.csvRow(incidentCSV, incidentCSVRow(in), in.Props()) }
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	err := s.eachIncident(ctx, f, p, func(in geo.Incident) error {
		return cw.Write(row(&in))
	})
	if err != nil {
		return err // never renew the deadline of a cut answer: its end must not look complete
	}
	w.deadline.renew() // the end of the answer gets its own idle time, however long the last query took
	cw.Flush()
	return cw.Error()
}

func incidentCSVRow(in *geo.Incident) []string {
	g := orb.Round(orb.Clone(in.Geometry), precision)
	center, _ := centroid(g)
	claims, _ := json.Marshal(in.Props().Claims)
	sources, _ := json.Marshal(in.Props().Sources)
	return []string{
		in.ID, cell(in.Title), cell(in.Summary), cell(in.Location), in.Country, cell(in.Admin1), cell(in.Admin2),
		in.EventType, in.SubEventType, in.StartsAt.UTC().Format(time.RFC3339), in.EndsAt.UTC().Format(time.RFC3339),
		in.DatePrecision, in.GeoPrecision,
		optInt(in.Fatalities.Low), optInt(in.Fatalities.Best), optInt(in.Fatalities.High),
		cell(strings.Join(in.Actors, "; ")), in.Status, in.UpdatedAt.UTC().Format(time.RFC3339),
		strconv.FormatFloat(center[0], 'f', -1, 64), strconv.FormatFloat(center[1], 'f', -1, 64),
		wkt.MarshalString(g), cell(string(claims)), cell(string(sources)),
	}
}

// centroid is the point of a point geometry, else the centre of its bounds.
func centroid(g orb.Geometry) (orb.Point, bool) {
	if p, ok := g.(orb.Point); ok {
		return p, true
	}
	return g.Bound().Center(), false
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// cell neutralises text that a spreadsheet would run as a formula, by
// prefixing an apostrophe (OWASP's advice against CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// placeCSVHeader names the columns of the places' CSV.
var placeCSVHeader = []string{"id", "name", "alt_names", "kind", "country", "admin1", "admin2", "longitude", "latitude",
	"geo_precision", "geo_note", "holder", "control"}

// writePlacesCSV writes a page of places as CSV, the place at its point
// (or the centre of its area); with a selection, only its columns.
func writePlacesCSV(c echo.Context, features []featureJSON, sel *propertySelection) error {
	w := startLater(c, mediaCSV, "places.csv")
	cw := csv.NewWriter(w) // a failed write comes back from cw.Error
	if sel == nil {
		_ = cw.Write(placeCSVHeader)
	} else {
		_ = cw.Write(sel.csvHeader(placeCSV))
	}
	for _, f := range features {
		row := placeCSVRow(f)
		if sel != nil {
			row = sel.csvRow(placeCSV, row, f.Properties)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// placeCSVRow is the row of a place's feature.
func placeCSVRow(f featureJSON) []string {
	p := f.Properties.(geo.PlaceProps)
	control, _ := json.Marshal(p.Control)
	holder := ""
	if p.Holder != nil {
		holder = *p.Holder
	}
	pt, _ := centroid(f.Geometry.Coordinates)
	return []string{f.ID, cell(p.Name), cell(strings.Join(p.AltNames, "; ")), p.Kind, p.Country,
		cell(p.Admin1), cell(p.Admin2), strconv.FormatFloat(pt[0], 'f', -1, 64), strconv.FormatFloat(pt[1], 'f', -1, 64),
		p.GeoPrecision, cell(p.GeoNote), holder, string(control)}
}
