package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// bulkLoad is a large import's way into the live tables: the indexes of
// incidents but its primary key are dropped while the rows are copied, then
// built again in bulk at the end (see rebuild): one sorted build of each
// index costs a fraction of keeping it up row by row. The GIN index of the
// words costs about the same either way, but built at the end it leaves no
// pending list for the first searches to scan (BENCHMARKS.md, "Figures behind the code").
//
// It takes an ACCESS EXCLUSIVE lock on incidents and incident_versions,
// only when nobody else holds a lock on them (see lockForBulk), until the
// import commits or rolls back: readers of those tables (items, by-id
// reads, revisions, the tile index's refresh) wait for it. Tiles already in memory are still served.
// Everything is transactional: a failed import rolls the drops back with
// its rows.
type bulkLoad struct {
	restore []string // the statements that rebuild what was dropped, in order
}

// bulkCatalog lists the indexes a bulk load drops, with the statement that
// drops each and the one that rebuilds it: those of incidents that back no
// constraint (its primary key stays: imports key on it). Definitions come
// from the catalog, so a later migration's index is handled too.
const bulkCatalog = `
	SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid)
	FROM pg_index i
	WHERE i.indrelid = 'incidents'::regclass
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
	ORDER BY 2`

// startBulk locks incidents, drops its indexes and disables its insert
// trigger. It returns nil, and changes nothing, when another transaction
// holds a lock on incidents (see lockForBulk): the import goes on as an
// ordinary one and may try again at its next batch.
func startBulk(ctx context.Context, tx *sql.Tx) (*bulkLoad, error) {
	if ok, err := lockForBulk(ctx, tx); err != nil || !ok {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, bulkCatalog)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var drops []string
	b := &bulkLoad{}
	for rows.Next() {
		var drop, create string
		if err := rows.Scan(&drop, &create); err != nil {
			return nil, translate(err)
		}
		drops = append(drops, drop)
		b.restore = append(b.restore, create)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	rows.Close()
	// Any row trigger makes COPY insert row by row; the store always sets
	// the columns this one computes. The change log's trigger keeps every
	// copied row in a transition table; logChanges writes the log from the
	// ids instead.
	for _, trigger := range []string{"incidents_search_insert", "incidents_log_inserts"} {
		drops = append(drops, `ALTER TABLE incidents DISABLE TRIGGER `+trigger)
		b.restore = append(b.restore, `ALTER TABLE incidents ENABLE TRIGGER `+trigger)
	}
	for _, stmt := range drops {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("bulk import: %s: %w", stmt, translate(err))
		}
	}
	return b, nil
}

// lockForBulk takes the ACCESS EXCLUSIVE locks of a bulk load, on
// incidents and incident_versions (whose key withoutVersionsKey drops), if
// no other transaction holds a lock on them, and reports whether it did.
// It never waits, as waiting could deadlock: a write that came during the
// import's earlier batches holds incidents while it waits for the
// data_version lock, which the import holds until it commits; a read of
// revisions holds incident_versions while it waits for incidents.
// PostgreSQL would abort one of the two (after deadlock_timeout). Nor
// does it queue every read behind a long one (an export's cursor).
func lockForBulk(ctx context.Context, tx *sql.Tx) (bool, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT im_bulk_lock`); err != nil {
		return false, translate(err)
	}
	_, err := tx.ExecContext(ctx, `LOCK TABLE incidents, incident_versions IN ACCESS EXCLUSIVE MODE NOWAIT`)
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
		_, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT im_bulk_lock`)
		return false, translate(err)
	}
	if err != nil {
		return false, translate(err)
	}
	_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT im_bulk_lock`)
	return err == nil, translate(err)
}

// withoutVersionsKey writes the first versions of the new incidents (see
// writeNewVersions) with the primary key of incident_versions dropped, and
// builds it again after, in one sorted pass, which costs less than keeping
// it up row by row (BENCHMARKS.md, "Figures behind the code").
func (b *bulkLoad) withoutVersionsKey(ctx context.Context, tx *sql.Tx, author string) error {
	var name, def string
	err := tx.QueryRowContext(ctx, `SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'incident_versions'::regclass AND contype = 'p'`).Scan(&name, &def)
	if err != nil {
		return fmt.Errorf("bulk import: the key of incident_versions: %w", translate(err))
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE incident_versions DROP CONSTRAINT `+name); err != nil {
		return fmt.Errorf("bulk import: %w", translate(err))
	}
	if err := writeNewVersions(ctx, tx, author); err != nil {
		return err
	}
	if err := b.logChanges(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE incident_versions ADD CONSTRAINT `+name+` `+def); err != nil {
		return fmt.Errorf("bulk import: %w", translate(err))
	}
	return nil
}

// logChanges records the incidents copied in while the bulk load had the
// change log's trigger off (im_new_ids not logged), as it would have. Like
// every insert into the log, it draws its seqs holding the data_version
// lock (migration 10), so they become visible in commit order.
func (b *bulkLoad) logChanges(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_changes (incident_id, op)
		SELECT id, 'I' FROM im_new_ids WHERE NOT logged`)
	return translate(err)
}

// rebuild builds the dropped indexes again, each in one pass, and enables
// the triggers again.
func (b *bulkLoad) rebuild(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range b.restore {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("bulk import: %s: %w", stmt, translate(err))
		}
	}
	return nil
}

// analyze refreshes the planner's statistics of incidents, which every
// read filters, so that reads after the commit are planned for what it
// holds now. Versions are read by incident id whatever their statistics;
// autovacuum analyzes them soon after, which spares the import most of the
// time ANALYZE would take (BENCHMARKS.md, "Figures behind the code").
func analyze(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ANALYZE incidents`)
	return translate(err)
}
