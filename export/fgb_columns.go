package export

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"

	"incidentmap/geo"
)

// FlatGeobuf's column types (header.fbs, enum ColumnType) that incidents use.
const (
	fgbBool     byte = 2
	fgbLong     byte = 7
	fgbString   byte = 11
	fgbJSON     byte = 12
	fgbDateTime byte = 13
)

// The columns of an incident, in the order of the CSV export; their
// numbers are the keys of a feature's properties.
const (
	colID = iota
	colTitle
	colSummary
	colLocation
	colPlaceID
	colCountry
	colAdmin1
	colAdmin2
	colEventType
	colSubEventType
	colStartsAt
	colEndsAt
	colDatePrecision
	colGeoPrecision
	colFatalitiesLow
	colFatalitiesBest
	colFatalitiesHigh
	colActors
	colStatus
	colUpdatedAt
	colExternalIDs
	colClaims
	colSources
	colCount
)

// fgbColumn is a column of the header: a name and a type.
type fgbColumn struct {
	name string
	typ  byte
}

// fgbColumns are the header's columns. Dates are DateTime strings (RFC
// 3339, UTC); actors, external ids, claims and sources are JSON, in their
// GeoJSON wire form.
var fgbColumns = [colCount]fgbColumn{
	colID: {"id", fgbString}, colTitle: {"title", fgbString}, colSummary: {"summary", fgbString},
	colLocation: {"location", fgbString}, colPlaceID: {"place_id", fgbString},
	colCountry: {"country", fgbString}, colAdmin1: {"admin1", fgbString}, colAdmin2: {"admin2", fgbString},
	colEventType: {"event_type", fgbString}, colSubEventType: {"sub_event_type", fgbString},
	colStartsAt: {"starts_at", fgbDateTime}, colEndsAt: {"ends_at", fgbDateTime},
	colDatePrecision: {"date_precision", fgbString}, colGeoPrecision: {"geo_precision", fgbString},
	colFatalitiesLow: {"fatalities_low", fgbLong}, colFatalitiesBest: {"fatalities_best", fgbLong},
	colFatalitiesHigh: {"fatalities_high", fgbLong}, colActors: {"actors", fgbJSON},
	colStatus: {"status", fgbString}, colUpdatedAt: {"updated_at", fgbDateTime},
	colExternalIDs: {"external_ids", fgbJSON}, colClaims: {"claims", fgbJSON}, colSources: {"sources", fgbJSON},
}

// fgbLayout is the columns of one file: those of fgbColumns that a
// selection of properties keeps, and where each of fgbColumns sits among
// them (-1: left out).
type fgbLayout struct {
	columns []fgbColumn
	at      [colCount]int
}

func newFGBLayout(props Properties) fgbLayout {
	columns := pick(fgbColumns[:], func(c fgbColumn) string { return c.name }, props)
	l := fgbLayout{columns: columns}
	for i, c := range fgbColumns {
		l.at[i] = slices.Index(columns, c)
	}
	return l
}

// fgbProperties appends the properties of in that layout keeps to buf, as
// FlatGeobuf stores them: for each value, its column number (uint16) and
// its value (texts as a uint32 length and UTF-8 bytes; integers as int64;
// all little-endian). An empty text (an unknown place id or update time,
// say) and a fatality figure nobody gave are left out: nulls.
func fgbProperties(buf []byte, in *geo.Incident, layout *fgbLayout) ([]byte, error) {
	p := in.Props()
	var jsonErr error
	jsonText := func(col int, v any) string { // "" for a column not asked for: not marshalled
		if layout.at[col] < 0 {
			return ""
		}
		b, err := json.Marshal(v)
		jsonErr = cmp.Or(jsonErr, err)
		return string(b)
	}
	updatedAt := ""
	if p.UpdatedAt != nil {
		updatedAt = p.UpdatedAt.Format(time.RFC3339)
	}
	for _, v := range [...]struct {
		col  int
		text string
	}{
		{colID, in.ID}, {colTitle, in.Title}, {colSummary, in.Summary}, {colLocation, in.Location},
		{colPlaceID, in.PlaceID}, {colCountry, in.Country}, {colAdmin1, in.Admin1}, {colAdmin2, in.Admin2},
		{colEventType, in.EventType}, {colSubEventType, in.SubEventType},
		{colStartsAt, p.StartsAt.Format(time.RFC3339)}, {colEndsAt, p.EndsAt.Format(time.RFC3339)},
		{colDatePrecision, in.DatePrecision}, {colGeoPrecision, in.GeoPrecision}, {colStatus, in.Status},
		{colUpdatedAt, updatedAt}, {colActors, jsonText(colActors, p.Actors)},
		{colExternalIDs, jsonText(colExternalIDs, p.ExternalIDs)},
		{colClaims, jsonText(colClaims, p.Claims)}, {colSources, jsonText(colSources, p.Sources)},
	} {
		if at := layout.at[v.col]; v.text != "" && at >= 0 {
			buf = binary.LittleEndian.AppendUint16(buf, uint16(at))
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v.text)))
			buf = append(buf, v.text...)
		}
	}
	for _, v := range [...]struct {
		col int
		n   *int
	}{{colFatalitiesLow, p.FatalitiesLow}, {colFatalitiesBest, p.FatalitiesBest}, {colFatalitiesHigh, p.FatalitiesHigh}} {
		if at := layout.at[v.col]; v.n != nil && at >= 0 {
			buf = binary.LittleEndian.AppendUint16(buf, uint16(at))
			buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(*v.n)))
		}
	}
	return buf, jsonErr
}
