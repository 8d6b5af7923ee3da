package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

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

// Incidents returns one page of the incidents that match f, in the order of
// p.Sort (default: start time then id), in one query.
func (s *Store) Incidents(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, error) {
	return s.incidentBatch(ctx, f, nil, p)
}

// CountIncidents returns how many incidents match f, counting no further
// than upTo+1: past upTo the answer is upTo+1 ("more than upTo"), which
// keeps a page of a wide query from counting a million rows.
func (s *Store) CountIncidents(ctx context.Context, f geo.Filter, upTo int) (int, error) {
	q := &query{}
	from := incidentSource(q, f, `1`)
	if err := q.filter(f); err != nil {
		return 0, err
	}
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT `+from+` WHERE `+q.sql()+
		` LIMIT `+q.arg(upTo+1)+`) matched`, q.args...).Scan(&n)
	return n, translate(err)
}

// EachIncident calls fn for every incident of the page (p.Limit 0: all of
// them), in order of start time then id. It stops at the first error fn
// returns, and when ctx is cancelled.
//
// Live data is read in keyset batches of exportBatch rows: each batch is a
// short query for the rows after the last one read, on the (starts_at, id)
// index, so memory stays at one batch and no connection is held while fn
// runs (while a slow client reads an export). The price is consistency:
// each batch sees the table as of its own query, so an incident written
// during an export with a start before the batch being read is not listed,
// and one whose start moves across it may be listed twice or not at all;
// unchanged incidents are listed exactly once. A read as of a past instant
// (f.AsOf) goes through one cursor instead, in one snapshot: its source is
// computed over every version and cannot be entered at a key. So does an
// order other than the default (p.Sort): keyset batches would sort every
// match again for each batch, where one cursor sorts them once.
func (s *Store) EachIncident(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error {
	if f.AsOf != nil || p.Sorted(geo.IncidentOrder) {
		return s.eachIncidentCursor(ctx, f, p, fn)
	}
	left := p.Limit
	if left <= 0 {
		left = 1 << 62 // every match
	}
	var after *incidentKey
	for batch := (geo.Page{Offset: p.Offset}); left > 0; batch.Offset = 0 {
		batch.Limit = min(left, exportBatch)
		list, err := s.readBatch(ctx, func() ([]geo.Incident, error) {
			return s.incidentBatch(ctx, f, after, batch)
		}, fn)
		if err != nil {
			return err
		}
		if len(list) < batch.Limit {
			return nil
		}
		left -= len(list)
		last := &list[len(list)-1]
		after = &incidentKey{startsAt: last.StartsAt, id: last.ID}
	}
	return nil
}

// exportBatch is how many rows each query of EachIncident reads.
const exportBatch = 1000

// incidentKey is a position in the order of listings: after the incident
// that starts at startsAt and has this id.
type incidentKey struct {
	startsAt time.Time
	id       string
}

// incidentBatch reads page p of the live incidents that match f and come
// after key (from the start when key is nil), in one query.
func (s *Store) incidentBatch(ctx context.Context, f geo.Filter, after *incidentKey, p geo.Page) ([]geo.Incident, error) {
	order, err := orderClause(p)
	if err != nil {
		return nil, err
	}
	q := &query{}
	from := incidentSource(q, f, incidentColumns)
	if err := q.filter(f); err != nil {
		return nil, err
	}
	if after != nil {
		q.where("(i.starts_at, i.id) > (%s::timestamptz, %s::text)", after.startsAt, after.id)
	}
	stmt := `SELECT ` + from + ` WHERE ` + q.sql() + order + pageClause(q, p)
	return queryAll(ctx, s.read, scanIncident, stmt, q.args...)
}

// pageClause is the LIMIT (unless p.Limit is 0) and OFFSET of p.
func pageClause(q *query, p geo.Page) string {
	var s string
	if p.Limit > 0 {
		s += ` LIMIT ` + q.arg(p.Limit)
	}
	if p.Offset > 0 {
		s += ` OFFSET ` + q.arg(p.Offset)
	}
	return s
}

// eachIncidentCursor is EachIncident through a server-side cursor, in one
// transaction: for reads as of a past instant.
func (s *Store) eachIncidentCursor(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error {
	order, err := orderClause(p)
	if err != nil {
		return err
	}
	q := &query{}
	from := incidentSource(q, f, incidentColumns)
	if err := q.filter(f); err != nil {
		return err
	}
	stmt := `SELECT ` + from + ` WHERE ` + q.sql() + order + pageClause(q, p)
	return s.exportQuery(ctx, func() error { // the cursor holds its connection to the end
		return eachRow(ctx, s.read, stmt, q.args, func(row scanner) error {
			in, err := scanIncident(row)
			if err != nil {
				return err
			}
			return fn(in)
		})
	})
}

// EachIncidentByID calls fn for every published incident among ids, in
// order, reading them byIDBatch at a time; each read is an export query
// (see exportQuery), and no connection is held while fn runs.
func (s *Store) EachIncidentByID(ctx context.Context, ids []string, fn func(geo.Incident) error) error {
	for batch := range slices.Chunk(ids, byIDBatch) {
		_, err := s.readBatch(ctx, func() ([]geo.Incident, error) { return s.IncidentsByID(ctx, batch) }, fn)
		if err != nil {
			return err
		}
	}
	return nil
}

// byIDBatch is how many incidents one query of EachIncidentByID reads.
const byIDBatch = 500

// exportQuery runs query, one read of an export, once fewer than
// ExportConns export reads run: however many exports stream, they never
// take more than that many connections of the read pool, and pages, counts
// and searches always find one. It waits at most until ctx ends.
func (s *Store) exportQuery(ctx context.Context, query func() error) error {
	select {
	case s.exportConns <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.exportConns }()
	return query()
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
