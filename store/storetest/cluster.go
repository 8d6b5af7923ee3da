package storetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"incidentmap/internal/testenv"
)

// Cluster is a throwaway PostGIS cluster of one test, which the test may
// stop and start (fault tests do) without disturbing the shared one.
type Cluster struct {
	URL     string // admin URL (the postgres superuser)
	root    string
	port    int
	repo    string
	primary int // the primary's port, for a standby

	postmaster int // its pid, once Freeze has looked it up
}

// NewCluster starts a private cluster with the repository's scripts/pg.sh.
// It is stopped and removed when the test ends. Without a database set-up
// (DATABASE_URL) it skips, except under CI=true, as testenv.NewDatabase.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	testenv.DatabaseURL(t) // the same rule: skip locally, fail under CI, when there is no database set-up
	return startCluster(t, &Cluster{repo: testenv.RepoRoot(t)}, "start")
}

// NewStandby starts a hot standby of primary in a throwaway cluster of its
// own: a copy taken with pg_basebackup -R that streams the primary's WAL,
// so it replays every later write, databases created later included, and
// answers read-only queries. It is stopped and removed when the test ends.
func NewStandby(t testing.TB, primary *Cluster) *Cluster {
	t.Helper()
	return startCluster(t, &Cluster{repo: primary.repo, primary: primary.port}, "standby")
}

// startCluster runs scripts/pg.sh cmd for c in a new directory on a free
// port and arranges its removal.
func startCluster(t testing.TB, c *Cluster, cmd string) *Cluster {
	t.Helper()
	root, err := os.MkdirTemp("", "incidentmap-fault-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o777); err != nil { // the postgres user runs the cluster when we are root
		t.Fatal(err)
	}
	c.root, c.port = root, testenv.FreePort(t)
	out, err := c.script(cmd)
	if err != nil {
		os.RemoveAll(root)
		t.Fatalf("start a private cluster (%s): %v\n%s", cmd, err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	c.URL = lines[len(lines)-1]
	t.Cleanup(func() {
		if out, err := c.script("stop"); err != nil {
			t.Logf("stop the private cluster: %v\n%s", err, out)
		}
		os.RemoveAll(root)
	})
	return c
}

// Stop stops the cluster (fast shutdown: connections are cut).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.script("stop"); err != nil {
		t.Fatalf("stop cluster: %v\n%s", err, out)
	}
}

// Start starts it again.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if out, err := c.script("start"); err != nil {
		t.Fatalf("start cluster: %v\n%s", err, out)
	}
}

func (c *Cluster) script(cmd string) (string, error) {
	run := exec.Command("bash", filepath.Join(c.repo, "scripts", "pg.sh"), cmd)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	run.Env = append(env, "INCIDENTMAP_PGROOT="+c.root, fmt.Sprintf("INCIDENTMAP_PGPORT=%d", c.port), "INCIDENTMAP_PG_FAST=1",
		fmt.Sprintf("INCIDENTMAP_PRIMARY_PORT=%d", c.primary))
	var out strings.Builder
	run.Stdout = &out
	run.Stderr = &out
	err := run.Run()
	return out.String(), err
}
