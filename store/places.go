package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"incidentmap/geo"
)

const placeColumns = `
	p.id, p.name, p.alt_names, p.kind, p.country, p.admin1, p.admin2, ST_AsBinary(p.geom),
	p.geo_precision, p.geo_note, p.note, p.coordinate_source,
	coalesce((SELECT json_agg(json_build_object('holder', c.holder, 'from', c.valid_from, 'to', c.valid_to,
		'source', c.source, 'note', c.note) ORDER BY c.position)
		FROM place_control c WHERE c.place_id = p.id), '[]')`

func scanPlace(row scanner) (geo.Place, error) {
	var (
		p       geo.Place
		alt     pq.StringArray
		pt      orb.Point
		control []byte
	)
	err := row.Scan(&p.ID, &p.Name, &alt, &p.Kind, &p.Country, &p.Admin1, &p.Admin2, wkb.Scanner(&pt),
		&p.GeoPrecision, &p.GeoNote, &p.Note, &p.CoordinateSource, &control)
	if err != nil {
		return p, err
	}
	p.AltNames, p.Point = alt, pt
	var cj []geo.ControlJSON
	if err := json.Unmarshal(control, &cj); err != nil {
		return p, fmt.Errorf("place %s: %w", p.ID, err)
	}
	for _, c := range cj {
		p.Control = append(p.Control, geo.ControlPeriod(c))
	}
	return p, nil
}

func placeWhere(f geo.PlaceFilter) *query {
	q := &query{}
	if f.BBox != nil {
		q.intersects("p.geom", *f.BBox)
	}
	q.oneOf("p.country", f.Countries)
	q.oneOf("p.kind", f.Kinds)
	if f.Query != "" {
		q.where("p.names_folded LIKE ANY(SELECT '%%' || im_fold(t) || '%%' FROM unnest(%s::text[]) t)",
			pq.Array(likeEscapeAll(strings.Split(f.Query, ","))))
	}
	return q
}

// Places returns one page of the places that match f, in the order of
// p.Sort (default: name, then id), and how many match in all.
func (s *Store) Places(ctx context.Context, f geo.PlaceFilter, p geo.Page) ([]geo.Place, int, error) {
	order, err := placeOrderClause(p)
	if err != nil {
		return nil, 0, err
	}
	q := placeWhere(f)
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM places p WHERE `+q.sql(), q.args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	stmt := `SELECT ` + placeColumns + ` FROM places p WHERE ` + q.sql() + order
	if p.Limit > 0 {
		stmt += ` LIMIT ` + q.arg(p.Limit)
	}
	stmt += ` OFFSET ` + q.arg(p.Offset)
	out, err := queryAll(ctx, s.read, scanPlace, stmt, q.args...)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// AllPlaces returns every place, read from the primary: the tile index
// reads them after each write, and must not queue behind the reads of
// the API.
func (s *Store) AllPlaces(ctx context.Context) ([]geo.Place, error) {
	return queryAll(ctx, s.db, scanPlace, `SELECT `+placeColumns+` FROM places p ORDER BY p.name, p.id`)
}

// Place returns the place with the given id, or an ENotFound *geo.Error.
func (s *Store) Place(ctx context.Context, id string) (geo.Place, error) {
	p, err := scanPlace(s.read.QueryRowContext(ctx, `SELECT `+placeColumns+` FROM places p WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, geo.NotFound("no place with id %q", id)
	}
	return p, translate(err)
}
