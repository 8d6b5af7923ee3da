package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestTableIsCurrent regenerates the table from the rules in the repo, in
// memory, and compares it with fold/unaccent_table.go: a stale table (the
// rules changed, or the table was edited by hand) fails until go generate
// runs in fold/.
func TestTableIsCurrent(t *testing.T) {
	rules, err := os.Open("unaccent.rules")
	if err != nil {
		t.Fatal(err)
	}
	defer rules.Close()
	want, _, err := generate(rules)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", tableFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("fold/%s is not what gen makes of gen/unaccent.rules: run go generate in fold/", tableFile)
	}
}
