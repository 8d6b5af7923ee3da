package harness

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runLib runs script in bash, in a scratch repository root, after sourcing
// scripts/lib.sh (the shell half of the harness) with psql, scripts/pg.sh
// and bin/incidentmap stubbed: every call goes to the file "calls", and a
// count of synthetic incidents answers $HAVE. It returns stdout and the
// calls.
func runLib(t *testing.T, script string, env ...string) (string, string) {
	lib, err := filepath.Abs("../lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for path, text := range map[string]string{
		"scripts/pg.sh":   "echo \"pg.sh $*\" >>calls\necho postgres://postgres@127.0.0.1:5999/incidentmap?sslmode=disable\n",
		"bin/incidentmap": "#!/bin/sh\necho \"incidentmap $*\" >>calls\n[ \"$1\" != synth ] || echo 'synthesized 3 incidents in 1s'\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", "-c", `set -euo pipefail
LOG_PREFIX=test MAKE=true
. "`+lib+`"
pg_sql() {
	echo "sql $*" >>calls
	case "$*" in *'count(*)'*) echo "$HAVE" ;; esac
}
`+script)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	calls, _ := os.ReadFile(filepath.Join(root, "calls"))
	return string(out), string(calls)
}

func TestScratchDBCreatesMigratesAndSeeds(t *testing.T) {
	out, calls := runLib(t, `DATABASE_URL=elsewhere; scratch_db incidentmap_x; echo "$URL ${DATABASE_URL:-unset} $INCIDENTMAP_PG_FAST"`)
	if want := "postgres://postgres@127.0.0.1:5999/incidentmap_x?sslmode=disable unset 1\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	for _, want := range []string{"pg.sh start", "CREATE DATABASE incidentmap_x", "CREATE EXTENSION IF NOT EXISTS postgis",
		"incidentmap migrate", "incidentmap seed"} {
		if !strings.Contains(calls, want) {
			t.Errorf("no %q in the calls:\n%s", want, calls)
		}
	}
}

func TestSynthEnsureKeepsOrLoads(t *testing.T) {
	const url = "postgres://postgres@127.0.0.1:5999/incidentmap_x?sslmode=disable"
	script := `hook() { echo hook >>calls; }
synth_ensure "` + url + `" "$N" .data/x.load hook
echo "$LOAD"`
	out, calls := runLib(t, script, "HAVE=7", "N=3")
	if want := "`bin/incidentmap synth --count 3`: synthesized 3 incidents in 1s, then VACUUM ANALYZE\n"; out != want {
		t.Errorf("load: got %q, want %q", out, want)
	}
	for _, want := range []string{"hook\n", "DELETE FROM incidents WHERE synthetic", "incidentmap synth --count 3", "VACUUM (ANALYZE) incidents"} {
		if !strings.Contains(calls, want) {
			t.Errorf("load: no %q in the calls:\n%s", want, calls)
		}
	}

	out, calls = runLib(t, `mkdir .data; echo 'synth said so' >.data/x.load; `+script, "HAVE=3", "N=3")
	if want := "synth said so (loaded by an earlier run)\n"; out != want || strings.Contains(calls, "hook") || strings.Contains(calls, "incidentmap synth") {
		t.Errorf("reuse: got %q, calls:\n%s", out, calls)
	}

	out, calls = runLib(t, script, "HAVE=5", "N=0")
	if want := "`bin/incidentmap synth --count 0`: no synthetic incidents, then VACUUM ANALYZE\n"; out != want ||
		!strings.Contains(calls, "DELETE") || strings.Contains(calls, "incidentmap synth") {
		t.Errorf("none: got %q, calls:\n%s", out, calls)
	}
}

func TestNeedNumberNamesTheVariableAndTheRange(t *testing.T) {
	out, _ := runLib(t, `for v in 3 1 5 abc -1 0 6 ''; do ( need_number RUNS "$v" 1 5 && echo "ok $v" ) 2>&1 || true; done`)
	want := "ok 3\nok 1\nok 5\n" +
		"test: error: RUNS must be a number, got 'abc'\n" +
		"test: error: RUNS must be a number, got '-1'\n" +
		"test: error: RUNS must be 1..5, got 0\n" +
		"test: error: RUNS must be 1..5, got 6\n" +
		"test: error: RUNS must be a number, got ''\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}
