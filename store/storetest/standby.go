package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

// Freeze stops every process of the cluster with SIGSTOP, as a machine
// that hangs or a network that drops every packet would: connections stay
// open and nothing answers. Thaw (SIGCONT) lets them go on; the test's end
// thaws it too.
func (c *Cluster) Freeze(t testing.TB) {
	t.Helper()
	c.postmaster = 0 // a restart gave it another pid
	c.signal(t, syscall.SIGSTOP)
	t.Cleanup(func() { c.signal(t, syscall.SIGCONT) })
}

// Thaw lets a frozen cluster go on.
func (c *Cluster) Thaw(t testing.TB) {
	t.Helper()
	c.signal(t, syscall.SIGCONT)
}

// signal sends sig to the postmaster and its children.
func (c *Cluster) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if c.postmaster == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var dir string
		if err := queryRow(ctx, c.URL, `SHOW data_directory`, nil, &dir); err != nil {
			t.Fatalf("the cluster's data directory: %v", err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		if c.postmaster, err = strconv.Atoi(strings.TrimSpace(first)); err != nil {
			t.Fatalf("postmaster.pid: %v", err)
		}
	}
	pids := []int{c.postmaster}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at its ')'.
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(c.postmaster) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil {
			t.Logf("signal %v to %d: %v", sig, pid, err)
		}
	}
}
