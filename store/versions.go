package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

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

// versionDataColumns are the columns a version copies from its incident's
// row.
const versionDataColumns = `title, summary, event_type, sub_event_type, geom, location, place_id, country,
	admin1, admin2, geo_precision, starts_at, ends_at, date_precision, actors, fatalities_low, fatalities_best,
	fatalities_high, status, external_ids, synthetic, created_at, updated_at, claims, sources`

// recordVersions records the state now of each incident in ids as its
// new version, written by author: its row for a write, an empty 'D' version
// for a deletion. A version is current from its valid_from until the next
// one's. patch is the RFC 7396 merge patch from the previous version when
// the caller knows it (one incident). Call materialize before changing the
// incidents.
func recordVersions(ctx context.Context, tx *sql.Tx, ids idSet, author string, deleted bool, patch []byte) error {
	if deleted {
		_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, revision, op, author, valid_from)
			SELECT d.id, coalesce((SELECT max(revision) FROM incident_versions v WHERE v.incident_id = d.id), 0) + 1,
				'D', `+next(ids, 1)+`, now()
			FROM (`+ids.sql+`) AS d(id)`, slices.Concat(ids.args, []any{author})...)
		return translate(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, revision, op, author, changes,
			valid_from, `+versionDataColumns+`)
		SELECT i.id, i.revision, CASE WHEN i.revision = 1 THEN 'I' ELSE 'U' END, `+next(ids, 1)+`,
			`+next(ids, 2)+`::jsonb, now(), `+prefixed("i.", versionDataColumns)+`
		FROM incidents i WHERE i.id IN (`+ids.sql+`)`,
		slices.Concat(ids.args, []any{author, nullJSON(patch)})...)
	return translate(err)
}

// materialize copies the rows of the incidents in ids into those of their
// versions that keep their data in the row (data_in_row: the first
// versions of copied incidents, see writeNewVersions). Call it before
// changing or deleting the incidents, or those versions would change with
// them.
func materialize(ctx context.Context, tx *sql.Tx, ids idSet) error {
	_, err := tx.ExecContext(ctx, `UPDATE incident_versions v
		SET (`+versionDataColumns+`) = (`+prefixed("i.", versionDataColumns)+`), data_in_row = false
		FROM incidents i
		WHERE v.data_in_row AND i.id = v.incident_id AND v.incident_id IN (`+ids.sql+`)`, ids.args...)
	return translate(err)
}

// prefixed qualifies each name of a comma-separated list.
func prefixed(qualifier, names string) string {
	return mapColumns(names, func(c string) string { return qualifier + c })
}

// mapColumns rewrites each name of a comma-separated list of columns with
// f, and joins them again.
func mapColumns(names string, f func(string) string) string {
	list := strings.Split(names, ",")
	for i, n := range list {
		list[i] = f(strings.TrimSpace(n))
	}
	return strings.Join(list, ", ")
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// next is the placeholder of the k-th argument after those of ids.
func next(ids idSet, k int) string { return fmt.Sprintf("$%d", len(ids.args)+k) }
