package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"incidentmap/geo"
)

const summaryColumns = `i.id, i.title, i.location, ST_AsBinary(i.geom), i.starts_at, i.ends_at,
	i.event_type, i.sub_event_type, i.country, i.geo_precision, i.fatalities_best, ` + publishersArray

// publishersArray is the publishers of an incident's sources, as
// Publishers counts them.
const publishersArray = `ARRAY(SELECT btrim(e->>'publisher') FROM jsonb_array_elements(i.sources) e
	WHERE btrim(coalesce(e->>'publisher', '')) <> '')`

func scanSummary(row scanner) (geo.Summary, error) {
	var (
		s    geo.Summary
		best sql.NullInt64
		g    = wkb.Scanner(nil)
	)
	err := row.Scan(&s.ID, &s.Title, &s.Location, g, &s.StartsAt, &s.EndsAt, &s.EventType, &s.SubEventType,
		&s.Country, &s.GeoPrecision, &best, (*pq.StringArray)(&s.Publishers))
	s.Geometry, s.FatalitiesBest = g.Geometry, intPtr(best)
	return s, err
}

// EachSummary calls fn with the summary of every published incident that
// matches f and, when within is not nil, intersects it. It reads the
// primary: the tile index pairs it with the change log, which a lagging
// replica could leave behind.
func (s *Store) EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error {
	q := &query{}
	from := incidentSource(q, f, summaryColumns)
	if err := q.filter(f); err != nil {
		return err
	}
	if within != nil {
		q.where("ST_Intersects(i.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
			within.Min[0], within.Min[1], within.Max[0], within.Max[1])
	}
	return eachRow(ctx, s.db, `SELECT `+from+` WHERE `+q.sql(), q.args, func(row scanner) error {
		sum, err := scanSummary(row)
		if err != nil {
			return err
		}
		return fn(sum)
	})
}

// Summaries returns the summaries of the published incidents among ids.
func (s *Store) Summaries(ctx context.Context, ids []string) ([]geo.Summary, error) {
	return queryAll(ctx, s.db, scanSummary, `SELECT `+summaryColumns+` FROM incidents i
		WHERE i.id = ANY($1) AND i.status = 'published'`, pq.Array(ids))
}

// ChangesSince returns the ids of the incidents written after change seq
// since (at most limit of them; more reports whether there are further
// changes) and the last seq read. LastChange gives the starting point.
// Seqs become visible in commit order (migration 10): a change not visible
// yet will get a seq above every seq visible now, so reading on from last
// misses none.
func (s *Store) ChangesSince(ctx context.Context, since int64, limit int) (ids []string, last int64, more bool, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, incident_id FROM incident_changes
		WHERE seq > $1 ORDER BY seq LIMIT $2`, since, limit+1)
	if err != nil {
		return nil, since, false, translate(err)
	}
	defer rows.Close()
	last = since
	seen := map[string]bool{}
	n := 0
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			return nil, since, false, translate(err)
		}
		if n++; n > limit {
			more = true
			break
		}
		last = seq
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, last, more, translate(rows.Err())
}

// LastChange returns the seq of the newest incident change (0 if none).
// Every write not committed yet will log changes above it, so a reader that
// pairs it with a read of the incidents made after it loses none.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM incident_changes`).Scan(&seq)
	return seq, translate(err)
}

// changesChannel is the channel the data_version trigger notifies.
const changesChannel = "incidentmap_changes"

// Listen calls fn whenever another connection commits a write (PostgreSQL
// NOTIFY from the data_version trigger), and once after every (re)connect,
// since notifications sent while disconnected are lost. It returns when ctx
// ends.
func (s *Store) Listen(ctx context.Context, fn func()) error {
	events := make(chan pq.ListenerEventType, 4)
	l := pq.NewListener(s.dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		select {
		case events <- ev:
		default:
		}
	})
	defer l.Close()
	if err := l.Listen(changesChannel); err != nil && !errors.Is(err, pq.ErrChannelAlreadyOpen) {
		return fmt.Errorf("listen: %w", translate(err))
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n != nil {
				fn()
			}
		case ev := <-events:
			if ev == pq.ListenerEventReconnected || ev == pq.ListenerEventConnected {
				fn()
			}
		case <-time.After(30 * time.Second):
			go l.Ping() //nolint:errcheck // a failed ping makes the listener reconnect, which events reports
		}
	}
}

// EstimateIncidents returns the planner's estimate of the number of
// incidents: free, and close enough to size the tile index.
func (s *Store) EstimateIncidents(ctx context.Context) (int, error) {
	var n float64
	err := s.db.QueryRowContext(ctx, `SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'incidents'::regclass`).Scan(&n)
	return int(n), translate(err)
}
