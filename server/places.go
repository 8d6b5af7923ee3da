package server

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// placeItems answers /collections/places/items. With datetime, each base's
// holder is the holder at the window's end; without, the holder now.
func (s *Server) placeItems(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, placeItemsParams); err != nil {
		return err
	}
	format, err := negotiate(c, fJSON, fHTML, fCSV)
	if err != nil {
		return err
	}
	var f geo.PlaceFilter
	if f.BBox, err = parseBBox(q); err != nil {
		return err
	}
	iv, err := parseOptionalInterval(q)
	if err != nil {
		return err
	}
	if f.Countries, err = parseList(q, "country", countryCode.MatchString, "is not an ISO 3166-1 alpha-2 country code"); err != nil {
		return err
	}
	for i, c := range f.Countries {
		f.Countries[i] = strings.ToUpper(c)
	}
	isKind := func(v string) bool { return contains(geo.PlaceKinds, v) }
	if f.Kinds, err = parseList(q, "kind", isKind, "is not a kind of place ("+strings.Join(geo.PlaceKinds, ", ")+")"); err != nil {
		return err
	}
	if q.Has("q") {
		if f.Query = strings.TrimSpace(q.Get("q")); f.Query == "" || len(f.Query) > maxWordLen {
			return geo.Invalid("q", "must be 1-%d characters", maxWordLen)
		}
	}
	page, err := parsePage(q, geo.DefaultLimit, geo.MaxLimit)
	if err != nil {
		return err
	}
	if err := deepOffset(page); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if fresh, err := s.notModified(c, format); err != nil || fresh {
		return err
	}
	places, matched, err := s.store.Places(ctx, f, page)
	if err != nil {
		return err
	}
	at := iv.LastInstant(s.now())
	features := make([]featureJSON, len(places))
	for i := range places {
		features[i] = placeFeature(&places[i], at)
	}
	switch format {
	case fCSV:
		return writePlacesCSV(c, features)
	case fHTML:
		return s.renderPage(c, "Places", features)
	}
	return writeJSON(c, mediaGeoJSON, map[string]any{
		"type":           "FeatureCollection",
		"features":       features,
		"numberMatched":  matched,
		"numberReturned": len(features),
		"timeStamp":      s.now().UTC().Format(time.RFC3339),
		"links":          s.pageLinks(c, page, len(features) == page.Limit && page.Offset+len(features) < matched),
	})
}

func writePlacesCSV(c echo.Context, features []featureJSON) error {
	w := startLater(c, mediaCSV, "places.csv")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "name", "alt_names", "kind", "country", "admin1", "admin2", "longitude", "latitude", // an error comes back from cw.Error
		"geo_precision", "geo_note", "holder", "control"})
	for _, f := range features {
		p := f.Properties.(geo.PlaceProps)
		control, _ := json.Marshal(p.Control)
		holder := ""
		if p.Holder != nil {
			holder = *p.Holder
		}
		pt, _ := centroid(f.Geometry.Coordinates)
		_ = cw.Write([]string{f.ID, cell(p.Name), cell(strings.Join(p.AltNames, "; ")), p.Kind, p.Country,
			cell(p.Admin1), cell(p.Admin2), strconv.FormatFloat(pt[0], 'f', -1, 64), strconv.FormatFloat(pt[1], 'f', -1, 64),
			p.GeoPrecision, cell(p.GeoNote), holder, string(control)})
	}
	cw.Flush()
	return cw.Error()
}
