package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lib/pq"
	"github.com/paulmach/orb/encoding/wkb"

	"incidentmap/geo"
)

// incidentColumns are read by scanIncident, in its order; the row keeps
// claims and sources as JSON arrays. They read from "i", which is the
// incidents table or, for reads as of a past instant, its versions (see
// incidentSource), which have the same columns.
const incidentColumns = `
	i.id, i.title, i.summary, i.event_type, i.sub_event_type, ST_AsBinary(i.geom),
	i.location, coalesce(i.place_id, ''), i.country, i.admin1, i.admin2, i.geo_precision,
	i.starts_at, i.ends_at, i.date_precision, i.actors,
	i.fatalities_low, i.fatalities_best, i.fatalities_high, i.status, i.external_ids, i.synthetic,
	i.created_at, i.updated_at, i.revision, i.claims, i.sources`

// versionsAsOf is the incidents table as it was at instant $n: the version
// of each incident current then, its data read from the incident's row
// when the version keeps it there (data_in_row), with the derived columns
// the filters use.
var versionsAsOf = `(SELECT v.incident_id AS id, ` + fromVersionOrRow(versionDataColumns) + `, v.revision,
	im_words(d.title || ' ' || d.summary || ' ' || d.location || ' ' || d.admin1 || ' ' || d.admin2 || ' ' ||
		array_to_string(d.actors, ' | ')) AS words,
	im_fold(d.actors) AS actors_folded
	FROM (SELECT DISTINCT ON (incident_id) * FROM incident_versions WHERE valid_from <= %s::timestamptz
		ORDER BY incident_id, revision DESC) v
	LEFT JOIN incidents r ON v.data_in_row AND r.id = v.incident_id
	CROSS JOIN LATERAL (SELECT ` + fromVersionOrRow(`title, summary, location, admin1, admin2, actors`) + `) d
	WHERE v.op <> 'D') i`

// fromVersionOrRow selects each of the comma-separated columns from the
// version v, or from the incident's row r when v keeps its data there.
func fromVersionOrRow(columns string) string {
	return mapColumns(columns, func(c string) string {
		return fmt.Sprintf("CASE WHEN v.data_in_row THEN r.%s ELSE v.%s END AS %s", c, c, c)
	})
}

// incidentSource returns the FROM clause and the columns to read for f:
// the live table, or its versions as of f.AsOf.
func incidentSource(q *query, f geo.Filter, columns string) string {
	if f.AsOf == nil {
		return columns + ` FROM incidents i`
	}
	return columns + ` FROM ` + fmt.Sprintf(versionsAsOf, q.arg(*f.AsOf))
}

// incidentOrder is the stable order of every listing: paging relies on it.
const incidentOrder = ` ORDER BY i.starts_at, i.id`

type scanner interface{ Scan(dest ...any) error }

func scanIncident(row scanner) (geo.Incident, error) {
	var (
		in                   geo.Incident
		low, best, high      sql.NullInt64
		extIDs, claims, srcs []byte
		actors               pq.StringArray
		geom                 = wkb.Scanner(nil)
	)
	err := row.Scan(&in.ID, &in.Title, &in.Summary, &in.EventType, &in.SubEventType, geom,
		&in.Location, &in.PlaceID, &in.Country, &in.Admin1, &in.Admin2, &in.GeoPrecision,
		&in.StartsAt, &in.EndsAt, &in.DatePrecision, &actors,
		&low, &best, &high, &in.Status, &extIDs, &in.Synthetic,
		&in.CreatedAt, &in.UpdatedAt, &in.Revision, &claims, &srcs)
	if err != nil {
		return in, err
	}
	in.Actors, in.Geometry = actors, geom.Geometry
	in.Fatalities = geo.Fatalities{Low: intPtr(low), Best: intPtr(best), High: intPtr(high)}
	var cj []geo.ClaimJSON
	var sj []geo.SourceJSON
	if err := errors.Join(json.Unmarshal(extIDs, &in.ExternalIDs), json.Unmarshal(claims, &cj),
		json.Unmarshal(srcs, &sj)); err != nil {
		return in, fmt.Errorf("incident %s: %w", in.ID, err)
	}
	for _, c := range cj {
		in.Claims = append(in.Claims, geo.Claim(c))
	}
	for _, s := range sj {
		in.Sources = append(in.Sources, geo.Source(s))
	}
	return in, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// Incident returns the published incident with the given id, or an ENotFound
// *geo.Error.
func (s *Store) Incident(ctx context.Context, id string) (geo.Incident, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents i
		WHERE i.id = $1 AND i.status = 'published'`, id)
	in, err := scanIncident(row)
	if errors.Is(err, sql.ErrNoRows) {
		return in, geo.NotFound("no incident with id %q", id)
	}
	return in, translate(err)
}

// Incidents returns one page of the incidents that match f, in order of start
// time then id.
func (s *Store) Incidents(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, error) {
	var out []geo.Incident
	err := s.EachIncident(ctx, f, p, func(in geo.Incident) error {
		out = append(out, in)
		return nil
	})
	return out, err
}

// CountIncidents returns how many incidents match f, counting no further
// than upTo+1: past upTo the answer is upTo+1 ("more than upTo"), which
// keeps a page of a wide query from counting a million rows.
func (s *Store) CountIncidents(ctx context.Context, f geo.Filter, upTo int) (int, error) {
	q := &query{}
	from := incidentSource(q, f, `1`)
	q.filter(f)
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT `+from+` WHERE `+q.sql()+
		` LIMIT `+q.arg(upTo+1)+`) matched`, q.args...).Scan(&n)
	return n, translate(err)
}

// EachIncident calls fn for every incident of the page (p.Limit 0: all of
// them), in order, reading through a server-side cursor: memory stays
// constant however many rows match, and the statement timeout applies to
// each FETCH rather than to the whole export. It stops at the first error fn
// returns, and when ctx is cancelled.
func (s *Store) EachIncident(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error {
	q := &query{}
	from := incidentSource(q, f, incidentColumns)
	q.filter(f)
	stmt := `SELECT ` + from + ` WHERE ` + q.sql() + incidentOrder
	if p.Limit > 0 {
		stmt += ` LIMIT ` + q.arg(p.Limit)
	}
	if p.Offset > 0 {
		stmt += ` OFFSET ` + q.arg(p.Offset)
	}
	return eachRow(ctx, s.read, stmt, q.args, func(row scanner) error {
		in, err := scanIncident(row)
		if err != nil {
			return err
		}
		return fn(in)
	})
}

// IncidentsByID returns the published incidents among ids, in the order of
// ids; an id that is not (or no longer) published is left out.
func (s *Store) IncidentsByID(ctx context.Context, ids []string) ([]geo.Incident, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents i
		WHERE i.id = ANY($1::text[]) AND i.status = 'published'`, pq.Array(ids))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	byID := make(map[string]geo.Incident, len(ids))
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		byID[in.ID] = in
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	out := make([]geo.Incident, 0, len(byID))
	for _, id := range ids {
		if in, ok := byID[id]; ok {
			out = append(out, in)
		}
	}
	return out, nil
}
