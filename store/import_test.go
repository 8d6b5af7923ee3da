package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"incidentmap/geo"
	"incidentmap/ingest"
	"incidentmap/internal/testenv"
	"incidentmap/store"
	"incidentmap/store/storetest"
)

// listReader yields n test incidents, then io.EOF; from bad on (1-based,
// 0 never) it fails with a *ingest.LineError instead, as a bad row would.
type listReader struct {
	n, bad, i int
	title     string
}

func (r *listReader) Next() (*geo.Incident, error) {
	if r.i == r.n {
		return nil, io.EOF
	}
	r.i++
	if r.i == r.bad {
		return nil, &ingest.LineError{Line: r.i, Field: "event_type", Err: fmt.Errorf("not an event type")}
	}
	in := testIncident(fmt.Sprintf("imp-%05d", r.i), -4+float64(r.i%100)/100, 14, "2022-03-27", "2022-03-31")
	in.Title = r.title + " " + in.ID
	return &in, nil
}

// openImportStore returns a store on a fresh database and a plain
// connection to the same database, for looking at the catalog.
func openImportStore(t *testing.T) (*store.Store, *sql.DB) {
	t.Helper()
	dsn := testenv.NewDatabase(t)
	st := storetest.Open(t, dsn)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return st, db
}

// schemaShape lists the indexes of incidents and the constraints of
// incidents and incident_versions, by name and definition.
func schemaShape(t *testing.T, db *sql.DB) string {
	t.Helper()
	var shape string
	err := db.QueryRow(`SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		SELECT indexdef AS x FROM pg_indexes WHERE tablename = 'incidents'
		UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid IN ('incidents'::regclass, 'incident_versions'::regclass)) s`).Scan(&shape)
	if err != nil {
		t.Fatal(err)
	}
	return shape
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestImportBulkLoadKeepsEveryPromise(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	before := schemaShape(t, db)
	if !strings.Contains(before, "incidents_words_idx") || !strings.Contains(before, "incident_versions_pkey") {
		t.Fatalf("unexpected schema:\n%s", before)
	}

	t.Run("a bad row after the switch stores nothing and keeps every index", func(t *testing.T) {
		_, err := st.ImportBulkFrom(ctx, &listReader{n: 25000, bad: 15000, title: "first"}, "test", 100)
		if err == nil || !strings.Contains(err.Error(), "line 15000") {
			t.Fatalf("err = %v, want line 15000", err)
		}
		if n := count(t, db, `SELECT count(*) FROM incidents`); n != 0 {
			t.Errorf("%d incidents stored", n)
		}
		if after := schemaShape(t, db); after != before {
			t.Errorf("schema changed by a failed bulk import:\n%s\nwas\n%s", after, before)
		}
	})
	t.Run("a bulk load stores everything, with versions and indexes", func(t *testing.T) {
		// The load becomes bulk after the first batch of 10,000 went in.
		n, err := st.ImportBulkFrom(ctx, &listReader{n: 25000, title: "first"}, "test", 15000)
		if err != nil || n != 25000 {
			t.Fatalf("import = %d, %v", n, err)
		}
		if after := schemaShape(t, db); after != before {
			t.Errorf("schema after a bulk import:\n%s\nwant\n%s", after, before)
		}
		for query, want := range map[string]int{
			`SELECT count(*) FROM incidents`:                                               25000,
			`SELECT count(*) FROM incidents WHERE jsonb_array_length(claims) = 1`:          25000,
			`SELECT count(*) FROM incidents WHERE jsonb_array_length(sources) = 1`:         25000,
			`SELECT count(*) FROM incident_versions WHERE revision = 1 AND op = 'I'`:       25000,
			`SELECT count(*) FROM incident_versions WHERE data_in_row AND author = 'test'`: 25000,
			`SELECT count(DISTINCT incident_id) FROM incident_changes WHERE op = 'I'`:      25000,
			`SELECT count(*) FROM incident_changes`:                                        25000,
		} {
			if got := count(t, db, query); got != want {
				t.Errorf("%s = %d, want %d", query, got, want)
			}
		}
		got, err := st.Incidents(ctx, geo.Filter{Query: "sevare"}, geo.Page{Limit: 5})
		if err != nil || len(got) != 5 {
			t.Errorf("search after a bulk import: %d, %v", len(got), err)
		}
		if n := count(t, db, `SELECT count(*) FROM pg_class WHERE relname = 'incidents' AND reltuples >= 20000`); n != 1 {
			t.Error("the planner's statistics were not refreshed")
		}
	})
	t.Run("importing again updates, never duplicates", func(t *testing.T) {
		n, err := st.ImportBulkFrom(ctx, &listReader{n: 25000, title: "second"}, "test", 100)
		if err != nil || n != 25000 {
			t.Fatalf("import = %d, %v", n, err)
		}
		for query, want := range map[string]int{
			`SELECT count(*) FROM incidents`:                                              25000,
			`SELECT count(*) FROM incidents WHERE revision = 2 AND title LIKE 'second %'`: 25000,
			`SELECT count(*) FROM incidents WHERE jsonb_array_length(claims) = 1`:         25000,
			`SELECT count(*) FROM incident_versions`:                                      50000,
		} {
			if got := count(t, db, query); got != want {
				t.Errorf("%s = %d, want %d", query, got, want)
			}
		}
	})
}

func TestImportSmallNeverLocks(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// A reader holds incidents while the import runs: a bulk load would wait
	// for it forever; a small import must not.
	if _, err := tx.Exec(`LOCK TABLE incidents IN ACCESS SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Import(ctx, &listReader{n: 300, title: "small"}, "test", false); err != nil || n != 300 {
		t.Fatalf("import = %d, %v", n, err)
	}
}

// repeatReader yields what r yields, then again the incident at position at
// (1-based) of r, retitled, as a file that gives an id twice would.
type repeatReader struct {
	r     *listReader
	again int
	done  bool
}

func (r *repeatReader) Next() (*geo.Incident, error) {
	in, err := r.r.Next()
	if !errors.Is(err, io.EOF) || r.done {
		return in, err
	}
	r.done = true
	again := testIncident(fmt.Sprintf("imp-%05d", r.again), -4, 14, "2022-03-27", "2022-03-31")
	again.Title = "again"
	return &again, nil
}

// A bulk load looks up only the ids it may have met: those stored before it
// and those given twice must still be updated, never copied twice.
func TestBulkLoadUpdatesIDsStoredBeforeOrGivenTwice(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	if n, err := st.Import(ctx, &listReader{n: 100, title: "before"}, "test", false); err != nil || n != 100 {
		t.Fatalf("first import = %d, %v", n, err)
	}
	r := &repeatReader{r: &listReader{n: 30000, title: "bulk"}, again: 20000}
	if n, err := st.ImportBulkFrom(ctx, r, "test", 15000); err != nil || n != 30001 {
		t.Fatalf("bulk import = %d, %v", n, err)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM incidents`:                                            30000,
		`SELECT count(*) FROM incidents WHERE title LIKE 'bulk %' AND revision = 1`: 29899,
		`SELECT count(*) FROM incidents WHERE title LIKE 'bulk %' AND revision = 2`: 100,
		`SELECT count(*) FROM incidents WHERE id = 'imp-20000' AND title = 'again'`: 1,
		`SELECT count(*) FROM incident_versions WHERE incident_id = 'imp-20000'`:    2,
		`SELECT count(*) FROM incident_versions WHERE incident_id = 'imp-00001'`:    2,
		`SELECT count(*) FROM incident_versions WHERE data_in_row`:                  29899,
		`SELECT count(*) FROM incident_changes WHERE incident_id = 'imp-20000'`:     2,
	} {
		if got := count(t, db, query); got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
}
