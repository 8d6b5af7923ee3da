package harness

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	_ "github.com/lib/pq" // the driver, for the server versions
)

// Machine describes where a run happened, for the report. A figure that
// cannot be read is "unknown …" (Model, Load), 0 (MemKB) or empty.
type Machine struct {
	CPUs              int
	Model             string // the first "model name" of /proc/cpuinfo
	MemKB             int64  // MemTotal of /proc/meminfo
	Load              string // LoadAvg(3) when described
	GoVersion, Commit string // Commit: git describe --always --dirty
	Postgres, PostGIS string // the versions the database at dsn reports
}

// DescribeMachine reads /proc, git and the database at dsn.
func DescribeMachine(ctx context.Context, dsn string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Model: "unknown CPU", Load: LoadAvg(3)}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemKB = kb
		}
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	if db, err := sql.Open("postgres", dsn); err == nil {
		defer db.Close()
		_ = db.QueryRowContext(ctx, `SELECT current_setting('server_version'), postgis_lib_version()`).Scan(&m.Postgres, &m.PostGIS) // unknown versions stay empty
	}
	return m
}

// Mem is the machine's memory, "24106 MB RAM" (Size, rounded), or
// "unknown memory".
func (m Machine) Mem() string {
	if m.MemKB == 0 {
		return "unknown memory"
	}
	return Size(m.MemKB<<10) + " RAM"
}

// LoadAvg returns the first n load averages of /proc/loadavg (1, 5 and 15
// minutes), separated by spaces, or "unknown". Other work on the machine
// skews every figure, so the reports say how busy it was.
func LoadAvg(n int) string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return loadAvgFields(string(b), n)
}

func loadAvgFields(text string, n int) string {
	f := strings.Fields(text)
	if n < 1 || len(f) < n {
		return "unknown"
	}
	return strings.Join(f[:n], " ")
}
