package store

import (
	"context"
	"database/sql"
	"errors"

	"incidentmap/geo"
)

// LastPublicChange returns the newest change of the public feed (see
// Changes: a change of an incident that was never published is not in
// it); the zero Change when there is none. Live streams tell it as the
// time the data last changed.
func (s *Store) LastPublicChange(ctx context.Context) (geo.Change, error) {
	var c geo.Change
	err := s.db.QueryRowContext(ctx, `SELECT c.seq, c.incident_id,
			CASE WHEN i.status = 'published' THEN c.op ELSE 'D' END, c.changed_at
		FROM incident_changes c LEFT JOIN incidents i ON i.id = c.incident_id
		WHERE i.status = 'published' OR EXISTS (SELECT 1 FROM incident_versions v
			WHERE v.incident_id = c.incident_id AND v.status = 'published')
		ORDER BY c.seq DESC LIMIT 1`).Scan(&c.Seq, &c.IncidentID, &c.Op, &c.At)
	if errors.Is(err, sql.ErrNoRows) {
		return geo.Change{}, nil
	}
	if err != nil {
		return geo.Change{}, translate(err)
	}
	c.Op = opNames[c.Op]
	return c, nil
}
