package main

import (
	"testing"

	"incidentmap/internal/codegen"
)

// TestTableIsCurrent regenerates the table from the iso-codes copy in the
// repo, in memory, and compares it with geo/countries_table.go: a stale
// table (the source changed, or the table was edited by hand) fails until
// go generate runs in geo/.
func TestTableIsCurrent(t *testing.T) {
	codegen.Check(t, "iso_3166-1.json", "../../countries_table.go", generate)
}
