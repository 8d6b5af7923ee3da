package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"testing"
	"time"
)

// Database returns dsn, the URL of a database on another cluster (its
// primary, say), pointing at this cluster instead.
func (c *Cluster) Database(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("database URL: %v", err)
	}
	u.Host = fmt.Sprintf("127.0.0.1:%d", c.port)
	return u.String()
}

// CatchUp waits (up to 30 s) until the standby c has replayed everything
// its primary had written when CatchUp was called.
func (c *Cluster) CatchUp(t testing.TB, primary *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lsn string
	if err := queryRow(ctx, primary.URL, `SELECT pg_current_wal_lsn()::text`, nil, &lsn); err != nil {
		t.Fatalf("the primary's WAL position: %v", err)
	}
	for {
		var done bool
		err := queryRow(ctx, c.URL, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, []any{lsn}, &done)
		if err == nil && done {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the standby did not replay up to %s within 30 s (last error: %v)", lsn, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// queryRow runs one query on its own connection to dsn and scans its row.
func queryRow(ctx context.Context, dsn, query string, args []any, dest ...any) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, query, args...).Scan(dest...)
}
