package store

import (
	"context"
	"database/sql"
	"incidentmap/geo"
)

// queryAll runs stmt on db and returns every row, each read by scan; errors
// come back translated.
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

// readBatch reads one batch of incidents as an export query (see
// exportQuery), then calls fn for each of them with no connection held,
// and returns the batch.
func (s *Store) readBatch(ctx context.Context, read func() ([]geo.Incident, error), fn func(geo.Incident) error) ([]geo.Incident, error) {
	var list []geo.Incident
	err := s.exportQuery(ctx, func() (err error) {
		list, err = read()
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if err := fn(list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}
