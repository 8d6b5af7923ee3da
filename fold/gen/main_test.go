package main

import (
	"testing"

	"incidentmap/internal/codegen"
)

// TestTableIsCurrent regenerates the table from the rules in the repo, in
// memory, and compares it with fold/unaccent_table.go: a stale table (the
// rules changed, or the table was edited by hand) fails until go generate
// runs in fold/.
func TestTableIsCurrent(t *testing.T) {
	codegen.Check(t, "unaccent.rules", "../unaccent_table.go", generate)
}
