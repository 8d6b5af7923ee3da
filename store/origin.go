package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Origin names this database, its schema version and the point seq of its
// change log, for a copy of the tile index saved at seq (tiles.Source): a
// copy may be rolled forward here only if Origin still gives what it gave
// when the copy was written. The name holds PostgreSQL's system identifier
// (another cluster, or the cluster initialised anew, differs), the
// database's oid and name (a database dropped and restored differs), the
// migration version, and the seq, time and incident of the newest change
// at or before seq (a change log truncated and counted again from 1, or
// pruned past it, differs). It is "" when no change is logged at or before
// seq: no copy can start there. It reads the primary, like the change log.
func (s *Store) Origin(ctx context.Context, seq int64) (string, error) {
	var (
		oid, schema int64
		name        string
		logged      sql.NullInt64
		at          sql.NullTime
		incident    sql.NullString
	)
	err := s.db.QueryRowContext(ctx, `SELECT d.oid::bigint, d.datname,
			(SELECT version FROM schema_migrations LIMIT 1), c.seq, c.changed_at, c.incident_id
		FROM pg_database d
		LEFT JOIN LATERAL (SELECT seq, changed_at, incident_id FROM incident_changes
			WHERE seq <= $1 ORDER BY seq DESC LIMIT 1) c ON true
		WHERE d.datname = current_database()`, seq).Scan(&oid, &name, &schema, &logged, &at, &incident)
	if err != nil {
		return "", translate(err)
	}
	if !logged.Valid {
		return "", nil
	}
	return fmt.Sprintf("postgresql %s, database %d %q, schema %d, at %d: change %d at %s of %q",
		s.systemIdentifier(ctx), oid, name, schema, seq, logged.Int64, at.Time.UTC().Format(time.RFC3339Nano), incident.String), nil
}

// systemIdentifier is the cluster's system identifier, or "unknown" where
// the role may not read it (pg_control_system is a superuser's by default
// on some installations): the rest of the origin still tells databases
// apart.
func (s *Store) systemIdentifier(ctx context.Context) string {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT system_identifier::text FROM pg_control_system()`).Scan(&id)
	if err != nil {
		return "unknown" // a failure here only makes a saved index look foreign
	}
	return id
}
