package store

import (
	"context"
	"fmt"

	"incidentmap/geo"
)

// publishersOf counts, per publisher, the matching incidents that cite it,
// from the JSON of their sources.
const publishersOf = `SELECT p.publisher, count(*) OVER ()
	FROM (SELECT btrim(e->>'publisher') AS publisher, count(DISTINCT x.id) AS incidents, count(*) AS citations
		FROM (SELECT %s WHERE %s) x
		CROSS JOIN LATERAL jsonb_array_elements(x.srcs) e
		WHERE btrim(coalesce(e->>'publisher', '')) <> ''
		GROUP BY 1) p
	ORDER BY p.incidents DESC, p.citations DESC, p.publisher COLLATE "C"
	LIMIT %s`

// Publishers returns the distinct publishers of the sources of the
// published incidents that match f, those cited by the most incidents
// first (then by the most sources, then by name), at most limit of them,
// and how many there are in all. Failures are *geo.Error values
// (EUnavailable).
func (s *Store) Publishers(ctx context.Context, f geo.Filter, limit int) (names []string, total int, err error) {
	q := &query{}
	from := incidentSource(q, f, `i.id, i.sources AS srcs`)
	if err := q.filter(f); err != nil {
		return nil, 0, err
	}
	stmt := fmt.Sprintf(publishersOf, from, q.sql(), q.arg(limit))
	rows, err := s.db.QueryContext(ctx, stmt, q.args...)
	if err != nil {
		return nil, 0, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name, &total); err != nil {
			return nil, 0, translate(err)
		}
		names = append(names, name)
	}
	return names, total, translate(rows.Err())
}
