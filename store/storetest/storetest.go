// Package storetest gives tests a migrated store on a fresh PostGIS
// database, and throwaway clusters that a test may stop, freeze or copy.
//
// The databases come from internal/testenv (DATABASE_URL; without it a test
// skips, except under CI=true, where it fails).
package storetest

import (
	"context"
	"testing"
	"time"

	"incidentmap/internal/testenv"
	"incidentmap/store"
)

// New returns a store on a fresh, migrated database.
func New(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, testenv.NewDatabase(t))
}

// Open returns a store on the database at dsn, migrated; it is closed when
// the test ends.
func Open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}
