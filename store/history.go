package store

import (
	"context"
	"database/sql"
	"time"

	"incidentmap/geo"
)

var opNames = map[string]string{"I": "create", "U": "update", "D": "delete"}

// Revisions returns every version of an incident, oldest first; ENotFound
// when it never existed.
func (s *Store) Revisions(ctx context.Context, id string) ([]geo.Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.revision, v.op, v.author, v.valid_from,
		lead(v.valid_from) OVER (ORDER BY v.revision), coalesce(v.status, i.status, ''), v.changes
		FROM incident_versions v LEFT JOIN incidents i ON v.data_in_row AND i.id = v.incident_id
		WHERE v.incident_id = $1 ORDER BY v.revision`, id)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []geo.Revision
	for rows.Next() {
		var r geo.Revision
		var to sql.NullTime
		if err := rows.Scan(&r.Revision, &r.Op, &r.Author, &r.From, &to, &r.Status, &r.Changes); err != nil {
			return nil, translate(err)
		}
		r.Op = opNames[r.Op]
		if to.Valid {
			r.To = &to.Time
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	if len(out) == 0 {
		return nil, geo.NotFound("no incident with id %q, now or before", id)
	}
	return out, nil
}

// Changes returns up to limit changes after seq since, or at or after
// instant at when it is not zero, oldest first. Without all, it is the
// public feed: an incident that was never published does not appear, and
// one that is no longer published appears as deleted (a syncing client
// drops it). Seqs become visible in commit order (migration 10), so a
// client that asks again after the last seq it got misses no change.
func (s *Store) Changes(ctx context.Context, since int64, at time.Time, limit int, all bool) ([]geo.Change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.seq, c.incident_id,
			CASE WHEN $4 OR i.status = 'published' THEN c.op ELSE 'D' END, c.changed_at
		FROM incident_changes c LEFT JOIN incidents i ON i.id = c.incident_id
		WHERE c.seq > $1 AND ($2::timestamptz IS NULL OR c.changed_at >= $2)
		  AND ($4 OR i.status = 'published' OR EXISTS (SELECT 1 FROM incident_versions v
			WHERE v.incident_id = c.incident_id AND v.status = 'published'))
		ORDER BY c.seq LIMIT $3`,
		since, nullTime(at), limit, all)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []geo.Change{}
	for rows.Next() {
		var c geo.Change
		if err := rows.Scan(&c.Seq, &c.IncidentID, &c.Op, &c.At); err != nil {
			return nil, translate(err)
		}
		c.Op = opNames[c.Op]
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
