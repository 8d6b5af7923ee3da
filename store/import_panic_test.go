package store_test

import (
	"context"
	"testing"

	"incidentmap/geo"
)

// panickyReader yields a few incidents, then panics, as a reader with a bug
// would.
type panickyReader struct{ listReader }

func (r *panickyReader) Next() (*geo.Incident, error) {
	if r.i == 3 {
		panic("reader bug")
	}
	return r.listReader.Next()
}

// A panic while reading an import (on the read-ahead goroutine, which no
// request's recovery covers) is an error, and nothing is stored.
func TestImportReaderPanicIsAnError(t *testing.T) {
	st, db := openImportStore(t)
	var before int
	if err := db.QueryRow(`SELECT count(*) FROM incidents`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	_, err := st.Import(context.Background(), &panickyReader{listReader{n: 10, title: "panic"}}, "test", false)
	if err == nil {
		t.Fatal("an import whose reader panicked succeeded")
	}
	var after int
	if err := db.QueryRow(`SELECT count(*) FROM incidents`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("%d incidents before, %d after a failed import", before, after)
	}
}
