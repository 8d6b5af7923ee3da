// Package testapp runs the whole program (cli.Run, as `incidentmap serve`)
// on a seeded PostGIS database for a test, and reads its answers.
//
// The database comes from internal/testenv: without DATABASE_URL a test
// skips, except under CI=true, where it fails.
package testapp

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"incidentmap/internal/cli"
	"incidentmap/internal/testenv"
)

// App is the program serving a database on a free port of 127.0.0.1.
type App struct {
	URL string // http://127.0.0.1:PORT
	DSN string // its database
	Env func(string) string
}

// Env is the environment of a test's commands: its database, and no drain
// on shutdown (tests stop their servers at once).
func Env(dsn string) func(string) string {
	return func(k string) string {
		switch k {
		case "DATABASE_URL":
			return dsn
		case "INCIDENTMAP_DRAIN":
			return "0s"
		}
		return ""
	}
}

// Run runs one incidentmap command on the database at dsn, with stdin (nil:
// none), and fails the test when it fails.
func Run(t testing.TB, dsn string, stdin io.Reader, args ...string) {
	t.Helper()
	if err := cli.Run(context.Background(), args, Env(dsn), stdin, io.Discard, io.Discard); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
}

// Seeded creates a new database holding the seed and returns its URL.
func Seeded(t testing.TB) string {
	t.Helper()
	dsn := testenv.NewDatabase(t)
	Run(t, dsn, nil, "seed")
	return dsn
}

// SeededWith is Seeded with count synthetic incidents of the given seed
// (incidentmap synth) added.
func SeededWith(t testing.TB, count int, seed string) string {
	t.Helper()
	dsn := Seeded(t)
	Run(t, dsn, nil, "synth", "--count", strconv.Itoa(count), "--seed", seed)
	return dsn
}

// Start seeds a new database and serves it until the test ends.
func Start(t testing.TB) *App {
	t.Helper()
	return Serve(t, Seeded(t))
}

// StartOn seeds the database at dsn and serves it until the test ends.
func StartOn(t testing.TB, dsn string) *App {
	t.Helper()
	Run(t, dsn, nil, "seed")
	return Serve(t, dsn)
}

// Serve runs `incidentmap serve` on the database at dsn until the test
// ends. Several may serve one database.
func Serve(t testing.TB, dsn string) *App {
	t.Helper()
	return ServeWith(t, dsn, nil)
}

// ServeWith is Serve with settings of its own: extra's values replace the
// test environment's (DATABASE_READ_URL, INCIDENTMAP_EXPORT_IDLE, ...).
func ServeWith(t testing.TB, dsn string, extra map[string]string) *App {
	t.Helper()
	return ServeWithLog(t, dsn, extra, io.Discard)
}

// ServeWithLog is ServeWith with the server's log (its stderr) written to
// logs.
func ServeWithLog(t testing.TB, dsn string, extra map[string]string, logs io.Writer) *App {
	t.Helper()
	base := Env(dsn)
	env := func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		return base(k)
	}
	url, stop := ServeEnv(t, env, logs)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &App{URL: url, DSN: dsn, Env: env}
}

// ServeEnv runs `incidentmap serve` with env on a free port and returns its
// URL once it listens, and a function that stops it and returns its error.
// The caller stops it.
func ServeEnv(t testing.TB, env func(string) string, logs io.Writer) (url string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, nil, pw, logs) }()
	stop = func() error {
		cancel()
		return <-done
	}
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve did not start: %v (stopped: %v)", err, stop())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // the log, which the test does not read
	return strings.TrimSpace(strings.TrimPrefix(line, "serving on ")), stop
}

// CLI runs one incidentmap command against the app's database and returns
// its standard output.
func (a *App) CLI(t testing.TB, stdin io.Reader, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := cli.Run(context.Background(), args, a.Env, stdin, &out, io.Discard)
	return out.String(), err
}

// NewToken creates a token with the CLI (its last line of output).
func (a *App) NewToken(t testing.TB, name, scope string) string {
	t.Helper()
	out, err := a.CLI(t, nil, "token", "create", "--name", name, "--scope", scope)
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}
