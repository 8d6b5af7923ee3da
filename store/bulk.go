package store

import (
	"context"
	"database/sql"
	"fmt"
)

// bulkLoad is a large import's way into the live tables: the B-tree and
// GiST indexes of incidents and the foreign keys of sources and claims are
// dropped while the rows are copied, then built again in bulk at the end.
// Measured on a million incidents (BENCHMARKS.md): copying into incidents
// with every index took 85 s, with none 16 s; each foreign key cost 8 s of
// per-row checks and 1 s to check again in one pass. The GIN index of the
// words stays: its build at the end took 30 s of one core, while kept, its
// pending list (gin_pending_list_limit, see importSettings) fills during the
// copy, beside the client decoding on the other core, and is merged in
// bulk.
//
// It takes an ACCESS EXCLUSIVE lock on incidents, sources and claims until
// the import commits or rolls back: readers of those tables (items, by-id
// reads, the tile index's refresh) wait for it. Tiles already in memory are
// still served. Everything is transactional: a failed import rolls the
// drops back with its rows.
type bulkLoad struct {
	restore []string // the statements that rebuild what was dropped, in order
}

// bulkCatalog lists what a bulk load drops, with the statement that drops it
// and the one that rebuilds it, in the order of rebuilding: the indexes of
// incidents that back no constraint (its primary key stays: imports key on
// it) and are not GIN, the primary keys of sources and claims (built again
// in one sort, which checks them), then the foreign keys that reference
// incidents. Definitions come from the catalog, so a
// later migration's index is handled too.
const bulkCatalog = `
	SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid), 1 AS step
	FROM pg_index i
	WHERE i.indrelid = 'incidents'::regclass
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		AND (SELECT a.amname FROM pg_class r JOIN pg_am a ON a.oid = r.relam WHERE r.oid = i.indexrelid) <> 'gin'
	UNION ALL
	SELECT 'ALTER TABLE ' || c.conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(c.conname),
		'ALTER TABLE ' || c.conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' ||
			pg_get_constraintdef(c.oid), CASE c.contype WHEN 'p' THEN 2 ELSE 3 END
	FROM pg_constraint c
	WHERE c.confrelid = 'incidents'::regclass AND c.contype = 'f'
		OR c.conrelid IN ('sources'::regclass, 'claims'::regclass) AND c.contype = 'p'
	ORDER BY 3, 2`

// startBulk locks the tables and drops the indexes and foreign keys.
func startBulk(ctx context.Context, tx *sql.Tx) (*bulkLoad, error) {
	if _, err := tx.ExecContext(ctx, `LOCK TABLE incidents, sources, claims IN ACCESS EXCLUSIVE MODE`); err != nil {
		return nil, translate(err)
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
		var step int
		if err := rows.Scan(&drop, &create, &step); err != nil {
			return nil, translate(err)
		}
		drops = append(drops, drop)
		b.restore = append(b.restore, create)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	rows.Close()
	for _, stmt := range drops {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("bulk import: %s: %w", stmt, translate(err))
		}
	}
	return b, nil
}

// finish builds the indexes and adds the foreign keys back (each foreign key
// is checked in one pass), then refreshes the planner's statistics of the
// tables that grew, so that reads after the commit are planned for their
// new size.
func (b *bulkLoad) finish(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range b.restore {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("bulk import: %s: %w", stmt, translate(err))
		}
	}
	_, err := tx.ExecContext(ctx, `ANALYZE incidents, sources, claims, incident_versions`)
	return translate(err)
}
