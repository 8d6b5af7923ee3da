package store

import (
	"context"
	"database/sql"

	"github.com/bits-and-blooms/bloom/v3"
)

// seenIDs remembers, in constant memory, every id a bulk load has met: the
// ids stored when it began and those of each batch since. An id it has not
// met is new for certain, so only the others are looked up (knownIDs): in a
// bulk load most batches then ask the database nothing, where looking every
// id up costs the database's time on every batch (BENCHMARKS.md, "Figures behind the code"). It is a
// Bloom filter of about 12 MB: wrong "maybe" answers, which only cost a
// lookup, stay near 1% up to 10 million ids and grow slowly past them.
type seenIDs struct{ filter *bloom.BloomFilter }

// seenFrom returns a seenIDs holding every id the database knows now, in
// incidents or in their versions.
func seenFrom(ctx context.Context, tx *sql.Tx) (*seenIDs, error) {
	s := &seenIDs{filter: bloom.NewWithEstimates(10_000_000, 0.01)}
	err := eachID(ctx, tx, `SELECT id FROM incidents UNION ALL SELECT incident_id FROM incident_versions`, nil,
		func(id string) { s.filter.AddString(id) })
	return s, err
}

// eachID calls fn with each id the query (one text column) returns.
func eachID(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(string)) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return translate(err)
		}
		fn(id)
	}
	return translate(rows.Err())
}

// maybe returns the rows whose ids may have been met: all others are new.
func (s *seenIDs) maybe(batch []copyRow) []copyRow {
	var out []copyRow
	for _, r := range batch {
		if s.filter.TestString(r.id) {
			out = append(out, r)
		}
	}
	return out
}

// add remembers the ids of batch.
func (s *seenIDs) add(batch []copyRow) {
	for _, r := range batch {
		s.filter.AddString(r.id)
	}
}
