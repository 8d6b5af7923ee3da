package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// query builds a WHERE clause from fixed SQL fragments and a slice of
// arguments. Request values only ever travel in args, as $n parameters.
type query struct {
	clauses []string
	args    []any
}

// arg appends v to the arguments and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

// where adds a fixed clause; each %s in it is replaced by the placeholder of
// the matching value.
func (q *query) where(clause string, values ...any) {
	ph := make([]any, len(values))
	for i, v := range values {
		ph[i] = q.arg(v)
	}
	q.clauses = append(q.clauses, fmt.Sprintf(clause, ph...))
}

// intersects adds: column (a fixed name) intersects the box, which may be
// two envelopes when it crosses the antimeridian.
func (q *query) intersects(column string, b geo.BBox) {
	var ors []string
	for _, e := range b.Bounds() {
		ors = append(ors, fmt.Sprintf("ST_Intersects(%s, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
			column, q.arg(e.Min[0]), q.arg(e.Min[1]), q.arg(e.Max[0]), q.arg(e.Max[1])))
	}
	q.clauses = append(q.clauses, "("+strings.Join(ors, " OR ")+")")
}

// window adds: the incident's closed interval [starts_at, ends_at] overlaps
// the half-open window iv. It is geo.Window.Overlaps in SQL (starts_at <
// end, ends_at >= start, an open side left out), and window_test.go holds
// the two to the same table of cases. The first clause is what the time
// index (migration 7) answers: an incident's time point (start, end) lies
// in the box start <= window end, end >= window start, a side left open
// reaching past any timestamp. The index compares in single precision,
// rounding outwards, so the exact comparisons follow.
func (q *query) window(iv geo.Interval) {
	lo, hi := -farSeconds, farSeconds
	if iv.Start != nil {
		lo = epochSeconds(*iv.Start)
	}
	if iv.End != nil {
		hi = epochSeconds(*iv.End)
	}
	q.where("im_time_point(i.starts_at, i.ends_at) && ST_MakeEnvelope(%s, %s, %s, %s)", -farSeconds, lo, hi, farSeconds)
	if iv.End != nil {
		q.where("i.starts_at < %s", *iv.End)
	}
	if iv.Start != nil {
		q.where("i.ends_at >= %s", *iv.Start)
	}
}

// farSeconds is further from 1970, in seconds, than any PostgreSQL
// timestamp.
const farSeconds = 1e15

func epochSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

func (q *query) sql() string {
	if len(q.clauses) == 0 {
		return "true"
	}
	return strings.Join(q.clauses, " AND ")
}

// filter adds the clauses of f over incidents aliased i. Without
// f.Statuses only published incidents are selected. It fails only on a
// wiring bug: a CQL2 filter that is not a *cql2.Filter, or that names a
// property without a column in cql2.IncidentColumns.
func (q *query) filter(f geo.Filter) error {
	if len(f.Statuses) > 0 {
		q.where("i.status = ANY(%s::text[])", pq.Array(f.Statuses))
	} else {
		q.clauses = append(q.clauses, "i.status = 'published'")
	}
	if !f.Time.IsZero() {
		q.window(f.Time)
	}
	if f.BBox != nil {
		q.intersects("i.geom", *f.BBox)
	}
	q.oneOf("i.event_type", f.EventTypes)
	q.oneOf("i.sub_event_type", f.SubEventTypes)
	q.oneOf("i.country", f.Countries)
	if len(f.Admin1) > 0 {
		q.where("im_fold(i.admin1) = ANY(SELECT im_fold(a) FROM unnest(%s::text[]) a)", pq.Array(f.Admin1))
	}
	if len(f.Actors) > 0 {
		q.where("i.actors_folded LIKE ANY(%s::text[])", actorPatterns(f.Actors))
	}
	if f.MinFatalities != nil {
		q.where("i.fatalities_best >= %s", *f.MinFatalities)
	}
	if f.Query != "" {
		q.where("i.words @@ %s::tsquery", textQuery(f.Query))
	}
	return q.cql(f.CQL)
}

// cql adds the CQL2 filter x, if any: cql2.ToSQL's fragment, its values
// numbered after the arguments already taken.
func (q *query) cql(x geo.Expression) error {
	e, err := cql2.Of(x)
	if err != nil || e == nil {
		return err
	}
	clause, args, err := cql2.ToSQL(e, cql2.IncidentColumns, len(q.args)+1)
	if err != nil {
		return err
	}
	q.args = append(q.args, args...)
	q.clauses = append(q.clauses, "("+clause+")")
	return nil
}

// oneOf adds: column (a fixed name) is one of values; without values it
// adds nothing.
func (q *query) oneOf(column string, values []string) {
	if len(values) > 0 {
		q.where(column+" = ANY(%s::text[])", pq.Array(values))
	}
}

// likeEscapeAll escapes LIKE's wildcards (and its escape character) so that
// each value matches only itself.
func likeEscapeAll(values []string) []string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	out := make([]string, 0, len(values))
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, r.Replace(v))
		}
	}
	return out
}
