package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"incidentmap/geo"
	"incidentmap/internal/testenv"
	"incidentmap/store"
)

// The change log is read "after the last seq seen" (the tile index's
// refresh, a /changes client): these tests hold a writer open between
// writing and committing while another commits, read the log at that
// moment, and check that the held writer's change still comes after what
// the readers saw.

// insertSQL writes one incident by hand, as a writer outside the store
// would; the triggers log it and bump the data version.
const insertSQL = `INSERT INTO incidents (id, title, event_type, geom, country, geo_precision, starts_at,
	ends_at, date_precision) VALUES ($1, 'by hand', 'battles', ST_SetSRID(ST_MakePoint(-4, 14), 4326), 'ML',
	'exact', '2022-01-01', '2022-01-01', 'day')`

// heldWriter is a transaction on a connection of its own that writes and
// then waits for the test to commit it.
type heldWriter struct {
	conn *sql.Conn
	tx   *sql.Tx
	pid  int
}

func newHeldWriter(t *testing.T, db *sql.DB) *heldWriter {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &heldWriter{conn: conn}
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&w.pid); err != nil {
		t.Fatal(err)
	}
	if w.tx, err = conn.BeginTx(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.tx.Rollback() })
	return w
}

// insert writes incident id in the background; the channel reports when
// the statement returns (it may wait for a lock first).
func (w *heldWriter) insert(id string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := w.tx.Exec(insertSQL, id)
		done <- err
	}()
	return done
}

// waitBlocked waits until the backend pid waits for a lock.
func waitBlocked(t *testing.T, db *sql.DB, pid int) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		var waiting bool
		err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND pid = $1)`, pid).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("backend %d never waited for a lock", pid)
		}
	}
}

// waitDataVersionLocked waits until some transaction holds the
// data_version row lock, which every write takes until it commits.
func waitDataVersionLocked(t *testing.T, db *sql.DB) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(`SELECT 1 FROM data_version FOR NO KEY UPDATE NOWAIT`)
		tx.Rollback()
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("nobody ever held the data_version lock")
		}
	}
}

// logReader reads the change log as its readers do, remembering where each
// stopped.
type logReader struct {
	st        *store.Store
	sinceTile int64 // ChangesSince's last, as the tile index keeps it
	sinceFeed int64 // the seq of the last change the feed gave, as /changes's next link
	tileIDs   []string
	feedSeqs  []int64
	feedIDs   []string
}

// read reads everything after where the readers stopped.
func (r *logReader) read(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for more := true; more; {
		ids, last, m, err := r.st.ChangesSince(ctx, r.sinceTile, 1000)
		if err != nil {
			t.Fatal(err)
		}
		r.sinceTile, more = last, m
		r.tileIDs = append(r.tileIDs, ids...)
	}
	for {
		list, err := r.st.Changes(ctx, r.sinceFeed, time.Time{}, 1000, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			return
		}
		for _, c := range list {
			r.feedSeqs = append(r.feedSeqs, c.Seq)
			r.feedIDs = append(r.feedIDs, c.IncidentID)
		}
		r.sinceFeed = list[len(list)-1].Seq
	}
}

// checkSaw checks that both readers saw id, and the feed every seq of the
// log exactly once.
func (r *logReader) checkSaw(t *testing.T, db *sql.DB, id string) {
	t.Helper()
	if !slices.Contains(r.tileIDs, id) {
		t.Errorf("the tile index's reader never saw %s (it stopped at seq %d)", id, r.sinceTile)
	}
	if !slices.Contains(r.feedIDs, id) {
		t.Errorf("the change feed never gave %s (it stopped at seq %d)", id, r.sinceFeed)
	}
	all := testenv.Int64s(t, db, `SELECT seq FROM incident_changes ORDER BY seq`)
	if !slices.Equal(r.feedSeqs, all) {
		t.Errorf("the feed gave %d changes, the log holds %d", len(r.feedSeqs), len(all))
	}
}

// Writer A writes, writer B writes and waits for the data version lock,
// A writes again and commits: B has not committed when the readers look,
// and must still come after what they saw.
func TestChangesOfAHeldWriterAreNotSkipped(t *testing.T) {
	st, db := openImportStore(t)
	a, b := newHeldWriter(t, db), newHeldWriter(t, db)
	if err := <-a.insert("a-1"); err != nil {
		t.Fatal(err)
	}
	bDone := b.insert("b-1")
	waitBlocked(t, db, b.pid)
	if err := <-a.insert("a-2"); err != nil {
		t.Fatal(err)
	}
	if err := a.tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	r := &logReader{st: st}
	r.read(t) // B has written, not committed
	last, err := st.LastChange(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r.read(t)
	r.checkSaw(t, db, "b-1")
	// A reload starts from LastChange and reads the table: what it missed
	// must come after LastChange.
	ids, _, _, err := st.ChangesSince(context.Background(), last, 100)
	if err != nil || !slices.Contains(ids, "b-1") {
		t.Errorf("after LastChange %d: %v, %v; want b-1", last, ids, err)
	}
}

// pausingReader yields the incidents of r, but before the one after pause
// closes paused and waits for resume.
type pausingReader struct {
	r       *listReader
	pause   int
	paused  chan struct{}
	resume  chan struct{}
	stopped bool
}

func (p *pausingReader) Next() (*geo.Incident, error) {
	if p.r.i == p.pause && !p.stopped {
		p.stopped = true
		close(p.paused)
		<-p.resume
	}
	return p.r.Next()
}

// An import holds the data version lock from its first batch to its
// commit: a PATCH that comes meanwhile waits, and must still come after
// every change of the import that the readers saw.
func TestChangesOfAWriteDuringAnImportAreNotSkipped(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		name := map[bool]string{false: "import", true: "bulk load"}[bulk]
		t.Run(name, func(t *testing.T) {
			st, db := openImportStore(t)
			ctx := context.Background()
			// The first batch (10,000) goes in, then the file stalls.
			r := &pausingReader{r: &listReader{n: 10005, title: name}, pause: 10000,
				paused: make(chan struct{}), resume: make(chan struct{})}
			imported := make(chan error, 1)
			go func() {
				var err error
				if bulk {
					_, err = st.ImportBulkFrom(ctx, r, "test", 1)
				} else {
					_, err = st.Import(ctx, r, "test", false)
				}
				imported <- err
			}()
			<-r.paused
			waitDataVersionLocked(t, db)
			if bulk {
				// A writer that came before the bulk load's table lock
				// would hold incidents while it waits for the data
				// version lock, and deadlock with the load.
				waitBulkLocked(t, db)
			}
			w := newHeldWriter(t, db)
			wDone := w.insert("during-import")
			waitBlocked(t, db, w.pid)
			close(r.resume)
			if err := <-imported; err != nil {
				t.Fatal(err)
			}
			if err := <-wDone; err != nil {
				t.Fatal(err)
			}
			reader := &logReader{st: st}
			reader.read(t) // the import committed, the writer not yet
			if err := w.tx.Commit(); err != nil {
				t.Fatal(err)
			}
			reader.read(t)
			reader.checkSaw(t, db, "during-import")
			if len(reader.feedIDs) != 10006 {
				t.Errorf("the feed gave %d changes, want 10,006", len(reader.feedIDs))
			}
		})
	}
}

// waitBulkLocked waits until a bulk load holds incidents locked.
func waitBulkLocked(t *testing.T, db *sql.DB) {
	t.Helper()
	waitUntil(t, db, "the bulk load never locked incidents", `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE granted AND mode = 'AccessExclusiveLock'
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND relation = 'incidents'::regclass)`)
}

// waitLockWaiter waits until a backend of this database waits for a lock.
func waitLockWaiter(t *testing.T, db *sql.DB) {
	t.Helper()
	waitUntil(t, db, "no backend ever waited for a lock", `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock')`)
}

// waitUntil asks db the yes-or-no query every 5 ms until it answers true,
// and fails t with never if it has not within 10 s.
func waitUntil(t *testing.T, db *sql.DB, never, query string) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		var yes bool
		if err := db.QueryRow(query).Scan(&yes); err != nil {
			t.Fatal(err)
		}
		if yes {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal(never)
		}
	}
}

// An edit that comes during an import's first batches waits for the data
// version lock, which the import holds, while it holds incidents. When the
// import would turn into a bulk load then, it must not wait for incidents
// (the two would deadlock, and PostgreSQL abort one): it goes on as an
// ordinary import, and both land.
func TestAnEditDuringAnImportThatWouldTurnBulkLands(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	before := schemaShape(t, db)
	r := &pausingReader{r: &listReader{n: 20000, title: "would turn bulk"}, pause: 10000,
		paused: make(chan struct{}), resume: make(chan struct{})}
	imported := make(chan error, 1)
	go func() {
		_, err := st.ImportBulkFrom(ctx, r, "test", 15000) // bulk from the second batch
		imported <- err
	}()
	<-r.paused
	waitDataVersionLocked(t, db)
	edited := make(chan error, 1)
	go func() {
		in := testIncident("edited-during-import", -4, 14, "2022-05-01", "2022-05-01")
		_, err := st.WriteIncident(ctx, &in, geo.Write{Author: "editor", Create: true})
		edited <- err
	}()
	waitLockWaiter(t, db)
	close(r.resume)
	if err := <-imported; err != nil {
		t.Fatalf("import: %v", err)
	}
	if err := <-edited; err != nil {
		t.Fatalf("edit: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM incidents`); n != 20001 {
		t.Errorf("%d incidents, want 20,001", n)
	}
	if after := schemaShape(t, db); after != before {
		t.Errorf("schema after the import:\n%s\nwant\n%s", after, before)
	}
	reader := &logReader{st: st}
	reader.read(t)
	reader.checkSaw(t, db, "edited-during-import")
}
