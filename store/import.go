package store

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"

	"github.com/lib/pq"

	"incidentmap/geo"
)

// stagingTables receive an import before it is merged into the live tables.
var stagingTables = copyTables{"im_stage_incidents", "im_stage_sources", "im_stage_claims"}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import stores every incident r yields, in one transaction: a bad row (r's
// *geo.LineError, or one the database refuses) fails the whole file and
// nothing is stored. Incidents whose id exists are replaced, with their
// claims and sources, so importing a file twice changes nothing; each gets
// a new version written by author. Memory stays constant: rows go in
// batches; the ids never seen before go straight into the live tables
// through COPY, with their first versions, and the others through staging
// tables merged at the end with set-based statements. With dryRun
// everything runs and is rolled back; the count is returned.
func (s *Store) Import(ctx context.Context, r geo.Reader, author string, dryRun bool) (int, error) {
	total := 0
	err := s.transact(ctx, nil, func(tx *sql.Tx) error {
		if err := createStaging(ctx, tx); err != nil {
			return err
		}
		now, err := transactionTime(ctx, tx)
		if err != nil {
			return err
		}
		fresh := &copier{tx: tx, tables: liveTables, versions: &versionRows{author: author, at: now}}
		staged := &copier{tx: tx, tables: stagingTables}
		restaged := 0
		for {
			batch, err := readBatch(r, copyBatch)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			total += len(batch)
			known, err := knownIDs(ctx, tx, batch)
			if err != nil {
				return err
			}
			var newOnes, old []*geo.Incident
			for _, in := range batch {
				if known[in.ID] {
					old = append(old, in)
				} else {
					newOnes = append(newOnes, in)
				}
			}
			if err := fresh.copyAll(ctx, newOnes); err != nil {
				return err
			}
			if err := staged.copyAll(ctx, old); err != nil {
				return err
			}
			restaged += len(old)
		}
		if restaged > 0 {
			if err := mergeStaging(ctx, tx, author); err != nil {
				return err
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return total, nil
	}
	if err != nil {
		return 0, err
	}
	return total, nil
}

// readBatch reads up to n incidents.
func readBatch(r geo.Reader, n int) ([]*geo.Incident, error) {
	var out []*geo.Incident
	for len(out) < n {
		in, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// knownIDs returns which ids of the batch exist now or existed before (they
// have versions): those take the staging path, which numbers revisions.
func knownIDs(ctx context.Context, tx *sql.Tx, batch []*geo.Incident) (map[string]bool, error) {
	ids := make([]string, len(batch))
	for i, in := range batch {
		ids[i] = in.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM incidents WHERE id = ANY($1)
		UNION SELECT incident_id FROM incident_versions WHERE incident_id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		known[id] = true
	}
	return known, translate(rows.Err())
}

// createStaging makes the transaction's staging tables: the shape and
// checks of the live ones, a primary key to catch an id given twice, no
// other index.
func createStaging(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		`SET LOCAL statement_timeout = '1h'`,
		`CREATE TEMP TABLE im_stage_incidents (LIKE incidents INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP`,
		`ALTER TABLE im_stage_incidents ADD PRIMARY KEY (id)`,
		`CREATE TEMP TABLE im_stage_sources (LIKE sources INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP`,
		`CREATE TEMP TABLE im_stage_claims (LIKE claims INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return translate(err)
		}
	}
	return nil
}

// mergeStaging upserts the staged incidents, replaces their claims and
// sources, and records their versions.
func mergeStaging(ctx context.Context, tx *sql.Tx, author string) error {
	cols := strings.Join(incidentCopyColumns, ", ")
	var set []string
	for _, c := range incidentCopyColumns[1:] {
		set = append(set, c+" = excluded."+c)
	}
	for _, stmt := range []string{
		`ANALYZE im_stage_incidents`,
		`INSERT INTO incidents (` + cols + `, revision)
		 SELECT ` + cols + `, coalesce((SELECT max(v.revision) FROM incident_versions v WHERE v.incident_id = st.id), 0) + 1
		 FROM im_stage_incidents st
		 ON CONFLICT (id) DO UPDATE SET ` + strings.Join(set, ", ") + `,
			updated_at = now(), revision = incidents.revision + 1`,
		`DELETE FROM claims WHERE incident_id IN (SELECT id FROM im_stage_incidents)`,
		`DELETE FROM sources WHERE incident_id IN (SELECT id FROM im_stage_incidents)`,
		`INSERT INTO sources SELECT * FROM im_stage_sources`,
		`INSERT INTO claims SELECT * FROM im_stage_claims`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return translate(err)
		}
	}
	return recordVersions(ctx, tx, idSet{sql: `SELECT id FROM im_stage_incidents`}, author, false, nil)
}
