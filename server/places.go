package server

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// PlaceReader reads the gazetteer's places for the places collection.
// Failures are *geo.Error values (ENotFound, EUnavailable, ...).
type PlaceReader interface {
	DataVersioner
	Place(ctx context.Context, id string) (geo.Place, error)
	// Places returns page p of the places matching f, and how many match.
	Places(ctx context.Context, f geo.PlaceFilter, p geo.Page) ([]geo.Place, int, error)
	PlaceExtent(ctx context.Context) (geo.Extent, error)
}

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
	sel, err := parseOrderAndSelection(q, &page, geo.PlaceQueryables, placePropFields, "places")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if fresh, err := s.notModified(c, s.places, format); err != nil || fresh {
		return err
	}
	places, matched, err := s.places.Places(ctx, f, page)
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
		return writePlacesCSV(c, features, sel)
	case fHTML:
		return s.renderPage(c, "Places", features)
	}
	for i := range features {
		features[i].Properties = sel.apply(features[i].Properties)
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
