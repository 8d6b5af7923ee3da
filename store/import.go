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
// batches, read and checked on a goroutine of their own while the batch
// before is copied; the ids never seen before go straight into the live
// tables through COPY, with their first versions, and the others through
// staging tables merged at the end with set-based statements. With dryRun
// everything runs and is rolled back; the count is returned.
//
// An import that adds many incidents (bulkImportRows, and at least twice
// the incidents stored before it) becomes a bulk load: see bulkLoad, which
// locks out readers of incidents, sources and claims until it commits. A
// dry run never does.
func (s *Store) Import(ctx context.Context, r geo.Reader, author string, dryRun bool) (int, error) {
	bulkRows := bulkImportRows
	if dryRun {
		bulkRows = 0
	}
	return s.importFrom(ctx, r, author, dryRun, bulkRows)
}

// bulkImportRows is how many new incidents an import adds before it may
// become a bulk load. Below it the import never locks readers out.
const bulkImportRows = 50000

// importFrom is Import, bulk loading from bulkRows new incidents (0 never).
func (s *Store) importFrom(ctx context.Context, r geo.Reader, author string, dryRun bool, bulkRows int) (int, error) {
	total := 0
	err := s.transact(ctx, nil, func(tx *sql.Tx) error {
		im, err := startImport(ctx, tx, author, bulkRows)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for b := range readAhead(ctx, r) {
			if b.err != nil {
				return b.err
			}
			total += len(b.list)
			if err := im.add(ctx, b.list); err != nil {
				return err
			}
		}
		if err := im.finish(ctx); err != nil {
			return err
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

// importer carries one Import transaction from batch to batch.
type importer struct {
	tx       *sql.Tx
	author   string
	fresh    *copier   // new ids, into the live tables
	staged   *copier   // known ids, into the staging tables
	restaged int       // known incidents staged so far
	added    int       // new incidents copied so far
	stored   int       // incidents stored before the import
	bulkRows int       // see shouldBulk; 0 never
	bulk     *bulkLoad // set once the import is a bulk load
}

// importSettings are the import transaction's own: its statements may run
// long; index builds get memory to sort in; the GIN index of the words
// takes new rows into a pending list of up to 64 MB, merged in bulk with
// work_mem to sort in, rather than row by row; the commit does not wait
// for its WAL to reach the disk: a crash within a second of it may lose
// the whole import although it was reported done (run it again: it is
// idempotent), never part of it.
var importSettings = []string{
	`SET LOCAL statement_timeout = '1h'`,
	`SET LOCAL maintenance_work_mem = '512MB'`,
	`SET LOCAL synchronous_commit = off`,
	`SET LOCAL gin_pending_list_limit = '64MB'`,
	`SET LOCAL work_mem = '256MB'`,
}

// startImport sets the transaction up and counts the incidents stored, by
// which shouldBulk decides.
func startImport(ctx context.Context, tx *sql.Tx, author string, bulkRows int) (*importer, error) {
	for _, stmt := range importSettings {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, translate(err)
		}
	}
	if err := createStaging(ctx, tx); err != nil {
		return nil, err
	}
	im := &importer{tx: tx, author: author, bulkRows: bulkRows,
		fresh:  &copier{tx: tx, tables: liveTables, versions: &versionRows{}},
		staged: &copier{tx: tx, tables: stagingTables}}
	if bulkRows > 0 {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM incidents`).Scan(&im.stored); err != nil {
			return nil, translate(err)
		}
	}
	return im, nil
}

// shouldBulk reports whether the import, having added so many new
// incidents, should become a bulk load now: from bulkRows of them, and
// twice the incidents stored before it, building each index once costs less
// than keeping it up row by row. Updates never make it one: measured on a
// million (BENCHMARKS.md), a re-import gained 5% by it, not worth locking
// readers out.
func (im *importer) shouldBulk(added int) bool {
	return im.bulk == nil && im.bulkRows > 0 && added >= im.bulkRows && added >= 2*im.stored
}

// add stores one batch: new ids into the live tables, known ones staged.
func (im *importer) add(ctx context.Context, batch []*geo.Incident) error {
	known, err := knownIDs(ctx, im.tx, batch)
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
	if im.shouldBulk(im.added + len(newOnes)) {
		if im.bulk, err = startBulk(ctx, im.tx); err != nil {
			return err
		}
	}
	if err := im.fresh.copyAll(ctx, newOnes); err != nil {
		return err
	}
	im.added += len(newOnes)
	im.restaged += len(old)
	return im.staged.copyAll(ctx, old)
}

// finish writes the first versions of the new incidents, merges what was
// staged (an id given twice in a file is new, then staged: its first
// version must come first) and ends a bulk load.
func (im *importer) finish(ctx context.Context) error {
	if im.added > 0 {
		if err := writeNewVersions(ctx, im.tx, im.author); err != nil {
			return err
		}
	}
	if im.restaged > 0 {
		if err := mergeStaging(ctx, im.tx, im.author); err != nil {
			return err
		}
	}
	if im.bulk != nil {
		return im.bulk.finish(ctx, im.tx)
	}
	return nil
}

// batchOrError is what readAhead yields: a batch, or the error that ends
// the stream.
type batchOrError struct {
	list []*geo.Incident
	err  error
}

// readAhead reads r in batches of copyBatch on a goroutine of its own, so
// that decoding and checking the next batch overlaps copying this one. At
// most two batches wait; the channel closes after the last batch or the
// first error. Cancelling ctx stops the goroutine after the batch it is
// reading.
func readAhead(ctx context.Context, r geo.Reader) <-chan batchOrError {
	out := make(chan batchOrError, 1)
	go func() {
		defer close(out)
		for {
			list, err := readBatch(r, copyBatch)
			if len(list) == 0 && err == nil {
				return
			}
			select {
			case out <- batchOrError{list, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out
}

// readBatch reads up to n incidents.
func readBatch(r geo.Reader, n int) ([]*geo.Incident, error) {
	out := make([]*geo.Incident, 0, n)
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
// The planner's statistics are those from before the import, and the tables
// may have grown a hundredfold since: it would scan them whole for every
// batch. Sequential scans are off for this query, so the ids are looked up
// through the primary keys.
func knownIDs(ctx context.Context, tx *sql.Tx, batch []*geo.Incident) (map[string]bool, error) {
	ids := make([]string, len(batch))
	for i, in := range batch {
		ids[i] = in.ID
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		return nil, translate(err)
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
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	_, err = tx.ExecContext(ctx, `RESET enable_seqscan`)
	return known, translate(err)
}

// createStaging makes the transaction's staging tables: the shape and
// checks of the live ones, a primary key to catch an id given twice, no
// other index.
func createStaging(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		newVersionsTable,
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
