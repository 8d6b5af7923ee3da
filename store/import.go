package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/lib/pq"

	"incidentmap/geo"
)

// IncidentReader yields the incidents of an import one at a time: Next
// returns io.EOF after the last, and any other error fails the import. It
// is an alias of an unnamed interface, the same type as ingest.Reader, so
// that the readers of package ingest fit without this package importing it.
type IncidentReader = interface {
	Next() (*geo.Incident, error)
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import stores every incident r yields, in one transaction: a bad row (r's
// error, such as an *ingest.LineError, or one the database refuses) fails
// the whole file and nothing is stored. Incidents whose id exists are replaced, with their
// claims and sources, so importing a file twice changes nothing; each gets
// a new version written by author. Memory stays constant: rows go in
// batches, read and checked on a goroutine of their own while the batch
// before is copied; the ids never seen before go straight into the live
// table through COPY, with their first versions, and the others through a
// staging table merged at the end with set-based statements. With dryRun
// everything runs and is rolled back; the count is returned.
//
// An import that adds many incidents (bulkImportRows, and at least twice
// the incidents stored before it) becomes a bulk load, at the first batch
// from then on that finds no other transaction holding them: see bulkLoad,
// which locks out readers of incidents and their versions until it commits. A
// dry run never does.
func (s *Store) Import(ctx context.Context, r IncidentReader, author string, dryRun bool) (int, error) {
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
func (s *Store) importFrom(ctx context.Context, r IncidentReader, author string, dryRun bool, bulkRows int) (int, error) {
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
			total += len(b.rows)
			if err := im.add(ctx, b.rows); err != nil {
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
	seen     *seenIDs  // the ids met, from the start of a bulk load
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
		fresh:  &copier{tx: tx, table: "incidents", recordNew: true},
		staged: &copier{tx: tx, table: "im_stage_incidents"}}
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
// than keeping it up row by row. Updates never make it one: a re-import
// gains little by it, not worth locking readers out (BENCHMARKS.md, "Figures behind the code").
func (im *importer) shouldBulk(added int) bool {
	return im.bulk == nil && im.bulkRows > 0 && added >= im.bulkRows && added >= 2*im.stored
}

// add stores one batch: new ids into the live table, known ones staged.
func (im *importer) add(ctx context.Context, batch []copyRow) error {
	lookUp := batch
	if im.seen != nil {
		lookUp = im.seen.maybe(batch)
		im.seen.add(batch)
	}
	known, err := knownIDs(ctx, im.tx, lookUp)
	if err != nil {
		return err
	}
	var newOnes, old []copyRow
	for _, r := range batch {
		if known[r.id] {
			old = append(old, r)
		} else {
			newOnes = append(newOnes, r)
		}
	}
	// In id order, the batch's keys go into the primary key's pages one
	// after another rather than at random.
	slices.SortFunc(newOnes, func(a, b copyRow) int { return strings.Compare(a.id, b.id) })
	if im.shouldBulk(im.added + len(newOnes)) {
		if im.bulk, err = startBulk(ctx, im.tx); err != nil {
			return err
		}
		if im.bulk != nil {
			im.fresh.unlogged = true
			if im.seen, err = seenFrom(ctx, im.tx); err != nil {
				return err
			}
			im.seen.add(newOnes)
		}
	}
	if err := im.fresh.copyRows(ctx, newOnes); err != nil {
		return err
	}
	im.added += len(newOnes)
	im.restaged += len(old)
	return im.staged.copyRows(ctx, old)
}

// finish writes the first versions of the new incidents, ends a bulk
// load's copy (its indexes are built again before anything reads through
// them) and merges what was staged: an id given twice in a file is new,
// then staged, and its first version must come first.
func (im *importer) finish(ctx context.Context) error {
	if im.added > 0 {
		write := func() error { return writeNewVersions(ctx, im.tx, im.author) }
		if im.bulk != nil {
			write = func() error { return im.bulk.withoutVersionsKey(ctx, im.tx, im.author) }
		}
		if err := write(); err != nil {
			return err
		}
	}
	if im.bulk != nil {
		if err := im.bulk.rebuild(ctx, im.tx); err != nil {
			return err
		}
	}
	if im.restaged > 0 {
		if err := mergeStaging(ctx, im.tx, im.author); err != nil {
			return err
		}
	}
	if im.bulk != nil {
		return analyze(ctx, im.tx)
	}
	return nil
}

// batchOrError is what readAhead yields: a batch, or the error that ends
// the stream.
type batchOrError struct {
	rows []copyRow
	err  error
}

// readAhead reads r in batches of copyBatch on a goroutine of its own, and
// turns each incident into its row for COPY there too, so that decoding,
// checking and encoding the next batch overlap copying this one: the
// database backend, which limits an import, then waits less for the client.
// At most four batches wait; the channel closes after the last batch or the
// first error. Cancelling ctx stops the goroutine after the batch it is
// reading. A panic while reading (a reader's bug, on a goroutine that no
// request handler's recovery covers) becomes the batch's error, not a crash.
func readAhead(ctx context.Context, r IncidentReader) <-chan batchOrError {
	out := make(chan batchOrError, 3)
	go func() {
		defer close(out)
		defer func() {
			if p := recover(); p != nil {
				err := &geo.Error{Code: geo.EInternal, Message: "reading the import failed",
					Cause: fmt.Errorf("panic while reading: %v\n%s", p, debug.Stack())}
				select {
				case out <- batchOrError{err: err}:
				case <-ctx.Done():
				}
			}
		}()
		for {
			rows, err := readBatch(r, copyBatch)
			if len(rows) == 0 && err == nil {
				return
			}
			select {
			case out <- batchOrError{rows, err}:
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

// readBatch reads up to n incidents, as rows for COPY.
func readBatch(r IncidentReader, n int) ([]copyRow, error) {
	out := make([]copyRow, 0, n)
	for len(out) < n {
		in, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		row, err := newCopyRow(in)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// knownIDs returns which ids of the batch exist now or existed before (they
// have versions): those take the staging path, which numbers revisions.
// Each id is looked up through the primary keys, in one statement. Scalar
// subqueries keep it so: the planner's statistics are those from before the
// import, and for EXISTS it chose to read the whole key into a hash for
// every batch (BENCHMARKS.md, "Figures behind the code").
func knownIDs(ctx context.Context, tx *sql.Tx, batch []copyRow) (map[string]bool, error) {
	known := map[string]bool{}
	if len(batch) == 0 {
		return known, nil
	}
	ids := make([]string, len(batch))
	for i, r := range batch {
		ids[i] = r.id
	}
	err := eachID(ctx, tx, `SELECT u.id FROM unnest($1::text[]) AS u(id)
		WHERE (SELECT true FROM incidents i WHERE i.id = u.id)
			OR (SELECT true FROM incident_versions v WHERE v.incident_id = u.id LIMIT 1)`,
		[]any{pq.Array(ids)}, func(id string) { known[id] = true })
	return known, err
}

// createStaging makes the transaction's temporary tables: im_new_ids, and
// the staging table of incidents, with the shape and checks of the live
// one, a primary key to catch an id given twice, no other index.
func createStaging(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		newIDsTable,
		`CREATE TEMP TABLE im_stage_incidents (LIKE incidents INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP`,
		`ALTER TABLE im_stage_incidents ADD PRIMARY KEY (id)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return translate(err)
		}
	}
	return nil
}

// mergeStaging upserts the staged incidents, with their claims and
// sources, and records their versions.
func mergeStaging(ctx context.Context, tx *sql.Tx, author string) error {
	staged := idSet{sql: `SELECT id FROM im_stage_incidents`}
	if _, err := tx.ExecContext(ctx, `ANALYZE im_stage_incidents`); err != nil {
		return translate(err)
	}
	if err := materialize(ctx, tx, staged); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, upsertIncidents(`SELECT `+strings.Join(incidentCopyColumns, ", ")+`,
		coalesce((SELECT max(v.revision) FROM incident_versions v WHERE v.incident_id = st.id), 0) + 1
		FROM im_stage_incidents st`))
	if err != nil {
		return translate(err)
	}
	return recordVersions(ctx, tx, staged, author, false, nil)
}
