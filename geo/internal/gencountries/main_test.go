package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestTableIsCurrent regenerates the table from the iso-codes copy in the
// repo, in memory, and compares it with geo/countries_table.go: a stale
// table (the source changed, or the table was edited by hand) fails until
// go generate runs in geo/.
func TestTableIsCurrent(t *testing.T) {
	raw, err := os.ReadFile("iso_3166-1.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", tableFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("geo/%s is not what gencountries makes of iso_3166-1.json: run go generate in geo/", tableFile)
	}
}
