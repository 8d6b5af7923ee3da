// Package harness is what scripts/bench (make bench) and scripts/loadtest
// (make loadtest) share: the flags common to both, the incidentmap server
// run as a subprocess, the Sahel towns the synthetic incidents cluster
// around, percentiles and the formats of their figures, the description of
// the machine, and the writing of one section of BENCHMARKS.md. The shell
// half (the scratch database with N synthetic incidents) is in
// scripts/lib.sh.
package harness

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Program is the name of a command of scripts/ ("bench", "loadtest"): it
// prefixes the command's diagnostics and names its directory.
type Program string

// Logf prints a diagnostic to stderr as "PROGRAM: message".
func (p Program) Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, string(p)+": "+format+"\n", args...)
}

// Command is cmd, or when it is empty the command line that runs the
// program with its arguments: "go run ./scripts/PROGRAM ARGS...". The
// report shows it.
func (p Program) Command(cmd string) string {
	if cmd != "" {
		return cmd
	}
	return "go run ./scripts/" + string(p) + " " + strings.Join(os.Args[1:], " ")
}

// Run calls run with a context that SIGINT and SIGTERM cancel. When run
// fails it prints "PROGRAM: error" to stderr and exits 1.
func (p Program) Run(run func(context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, string(p)+":", err)
		os.Exit(1)
	}
}
