package store

import (
	"context"
)

// ImportBulkFrom is Import becoming a bulk load from bulkRows new
// incidents, so that tests reach the bulk path with a few hundred rows.
func (s *Store) ImportBulkFrom(ctx context.Context, r IncidentReader, author string, bulkRows int) (int, error) {
	return s.importFrom(ctx, r, author, false, bulkRows)
}
