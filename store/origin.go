package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Origin names this database, its schema version and change seq of its
// change log, for a copy of the tile index saved at seq (tiles.Source): a
// copy may be rolled forward here only if Origin still gives what it gave
// when the copy was written. The name holds PostgreSQL's system identifier
// (another cluster, or the cluster initialised anew, differs), the
// database's oid and name (a database dropped and restored differs), the
// migration version, and the time and incident of change seq (a change log
// truncated and counted again from 1 differs). It is "" when change seq is
// not in the log (pruned, or never written): no copy can start there.
// It reads the primary, like the change log.
func (s *Store) Origin(ctx context.Context, seq int64) (string, error) {
	var (
		oid, schema int64
		name        string
		at          sql.NullTime
		incident    sql.NullString
	)
	err := s.db.QueryRowContext(ctx, `SELECT d.oid::bigint, d.datname,
			(SELECT version FROM schema_migrations LIMIT 1),
			(SELECT changed_at FROM incident_changes WHERE seq = $1),
			(SELECT incident_id FROM incident_changes WHERE seq = $1)
		FROM pg_database d WHERE d.datname = current_database()`, seq).Scan(&oid, &name, &schema, &at, &incident)
	if err != nil {
		return "", translate(err)
	}
	if !at.Valid {
		return "", nil
	}
	return fmt.Sprintf("postgresql %s, database %d %q, schema %d, change %d at %s of %q",
		s.systemIdentifier(ctx), oid, name, schema, seq, at.Time.UTC().Format(time.RFC3339Nano), incident.String), nil
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
