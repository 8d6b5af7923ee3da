package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/lib/pq"
)

// idSet is a set of incident ids in SQL: a query whose placeholders start
// at $1, with its arguments.
type idSet struct {
	sql  string
	args []any
}

// idList is the set of the ids in list.
func idList(list []string) idSet { return idSet{`SELECT unnest($1::text[])`, []any{pq.Array(list)}} }

// recordVersions records the state now of each incident in ids as its
// new version, written by author: its row for a write, an empty 'D' version
// for a deletion. A version is current from its valid_from until the next
// one's. patch is the RFC 7396 merge patch from the previous version when
// the caller knows it (one incident).
func recordVersions(ctx context.Context, tx *sql.Tx, ids idSet, author string, deleted bool, patch []byte) error {
	if deleted {
		_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, revision, op, author, valid_from)
			SELECT d.id, coalesce((SELECT max(revision) FROM incident_versions v WHERE v.incident_id = d.id), 0) + 1,
				'D', `+next(ids, 1)+`, now()
			FROM (`+ids.sql+`) AS d(id)`, slices.Concat(ids.args, []any{author})...)
		return translate(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, revision, op, author, changes, valid_from,
			title, summary, event_type, sub_event_type, geom, location, place_id, country, admin1, admin2,
			geo_precision, starts_at, ends_at, date_precision, actors, fatalities_low, fatalities_best,
			fatalities_high, status, external_ids, synthetic, created_at, updated_at, claims, sources)
		SELECT i.id, i.revision, CASE WHEN i.revision = 1 THEN 'I' ELSE 'U' END, `+next(ids, 1)+`, `+next(ids, 2)+`::jsonb,
			now(), i.title, i.summary, i.event_type, i.sub_event_type, i.geom, i.location,
			i.place_id, i.country, i.admin1, i.admin2, i.geo_precision, i.starts_at, i.ends_at, i.date_precision,
			i.actors, i.fatalities_low, i.fatalities_best, i.fatalities_high, i.status, i.external_ids,
			i.synthetic, i.created_at, i.updated_at,
			coalesce((SELECT jsonb_agg(jsonb_build_object('claimant', c.claimant, 'claimed_on', c.claimed_on,
				'fatalities_low', c.fatalities_low, 'fatalities_high', c.fatalities_high, 'statement', c.statement,
				'source', c.source_url) ORDER BY c.position) FROM claims c WHERE c.incident_id = i.id), '[]'),
			coalesce((SELECT jsonb_agg(jsonb_build_object('url', s.url, 'publisher', s.publisher,
				'title', s.title, 'published_on', s.published_on, 'language', s.language, 'note', s.note)
				ORDER BY s.position) FROM sources s WHERE s.incident_id = i.id), '[]')
		FROM incidents i WHERE i.id IN (`+ids.sql+`)`,
		slices.Concat(ids.args, []any{author, nullJSON(patch)})...)
	return translate(err)
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// next is the placeholder of the k-th argument after those of ids.
func next(ids idSet, k int) string { return fmt.Sprintf("$%d", len(ids.args)+k) }
