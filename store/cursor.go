package store

import (
	"context"
	"database/sql"
	"fmt"
)

// fetchSize is how many rows each FETCH reads from a cursor.
const fetchSize = 1000

// eachRow runs stmt on db through a server-side cursor in a read-only transaction
// and calls fn for every row, in order. Memory stays constant however many
// rows there are, and the statement timeout applies to each FETCH rather
// than to the whole read. It stops at the first error and when ctx ends.
func eachRow(ctx context.Context, db *sql.DB, stmt string, args []any, fn func(scanner) error) error {
	return transactOn(ctx, db, &sql.TxOptions{ReadOnly: true}, func(tx *sql.Tx) error {
		// A cursor is planned for its first 10% of rows by default, which
		// walks the (starts_at, id) index and filters most of the table,
		// far slower for a page than the plan for every row (BENCHMARKS.md,
		// "Figures behind the code"). We read every row we declare.
		if _, err := tx.ExecContext(ctx, `SET LOCAL cursor_tuple_fraction = 1.0`); err != nil {
			return translate(err)
		}
		if _, err := tx.ExecContext(ctx, `DECLARE rows_cursor NO SCROLL CURSOR FOR `+stmt, args...); err != nil {
			return translate(err)
		}
		for {
			n, err := fetchBatch(ctx, tx, fn)
			if err != nil || n < fetchSize {
				return err
			}
		}
	})
}

// fetchBatch reads the next batch of the cursor into fn and returns its size.
func fetchBatch(ctx context.Context, tx *sql.Tx, fn func(scanner) error) (int, error) {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`FETCH FORWARD %d FROM rows_cursor`, fetchSize))
	if err != nil {
		return 0, translate(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if err := fn(rows); err != nil {
			return n, translate(err)
		}
	}
	return n, translate(rows.Err())
}
