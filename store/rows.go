package store

import (
	"context"
	"database/sql"
)

// queryAll runs stmt on db and returns every row, read with scan, in order.
// Errors, of the query or of a row, come back translated into geo errors.
func queryAll[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), stmt string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, v)
	}
	return out, translate(rows.Err())
}
