// Package codegen runs the repository's table generators (fold/gen,
// geo/internal/gencountries): each turns a source file checked into the
// repository into a Go file, and each has a test that the Go file is what
// it makes of the source today, so that neither a hand edit of the table
// nor a source changed without go generate goes unnoticed.
package codegen

import (
	"bytes"
	"log"
	"os"
	"testing"
)

// Generate turns the bytes of a source file into the Go source of a table.
type Generate func(source []byte) ([]byte, error)

// Main writes to table what generate makes of the source file, both paths
// relative to the working directory (go generate runs in the package's
// directory). It exits the program on any error.
func Main(source, table string, generate Generate) {
	src, err := run(source, generate)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(table, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// Check fails t unless table holds what generate makes of the source file
// now (go test runs in the generator's directory: paths are relative to
// it). It regenerates in memory and writes nothing.
func Check(t testing.TB, source, table string, generate Generate) {
	t.Helper()
	want, err := run(source, generate)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(table)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the generator makes of %s: run go generate in its package", table, source)
	}
}

// run reads the source file and generates its table.
func run(source string, generate Generate) ([]byte, error) {
	raw, err := os.ReadFile(source)
	if err != nil {
		return nil, err
	}
	return generate(raw)
}
