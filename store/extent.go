package store

import (
	"context"
	"database/sql"

	"incidentmap/geo"
)

// IncidentExtent returns the extent of the published incidents.
func (s *Store) IncidentExtent(ctx context.Context) (geo.Extent, error) {
	return s.extent(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), t0, t1 FROM (
		SELECT ST_Extent(geom) AS e, min(starts_at) AS t0, max(ends_at) AS t1
		FROM incidents WHERE status = 'published') x`)
}

// PlaceExtent returns the extent of the gazetteer, with the span of its
// control periods as its temporal extent.
func (s *Store) PlaceExtent(ctx context.Context) (geo.Extent, error) {
	return s.extent(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e),
		(SELECT min(valid_from)::timestamptz FROM place_control), NULL::timestamptz
		FROM (SELECT ST_Extent(geom) AS e FROM places) x`)
}

func (s *Store) extent(ctx context.Context, stmt string) (geo.Extent, error) {
	var (
		x0, y0, x1, y1 sql.NullFloat64
		t0, t1         sql.NullTime
	)
	if err := s.read.QueryRowContext(ctx, stmt).Scan(&x0, &y0, &x1, &y1, &t0, &t1); err != nil {
		return geo.Extent{}, translate(err)
	}
	var e geo.Extent
	if x0.Valid {
		e.BBox = &geo.BBox{MinLon: x0.Float64, MinLat: y0.Float64, MaxLon: x1.Float64, MaxLat: y1.Float64}
	}
	if t0.Valid {
		e.Start = &t0.Time
	}
	if t1.Valid {
		e.End = &t1.Time
	}
	return e, nil
}
