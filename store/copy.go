package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/lib/pq"
	"github.com/paulmach/orb/encoding/ewkb"

	"incidentmap/geo"
)

// copyBatch is how many incidents CopyIncidents sends before the sources and
// claims that go with them: memory stays bounded whatever the count, and each
// COPY statement stays well inside the statement timeout.
const copyBatch = 10000

// incidentCopyColumns are every column of incidents a writer sets: not the
// generated during, search and actors_folded, nor created_at and updated_at,
// which default to now().
var incidentCopyColumns = []string{"id", "title", "summary", "event_type", "sub_event_type", "geom",
	"location", "place_id", "country", "admin1", "admin2", "geo_precision", "starts_at", "ends_at",
	"date_precision", "actors", "fatalities_low", "fatalities_best", "fatalities_high", "status",
	"external_ids", "synthetic"}

var (
	sourceCopyColumns = []string{"incident_id", "position", "url", "publisher", "title", "published_on",
		"language", "note"}
	claimCopyColumns = []string{"incident_id", "position", "claimant", "claimed_on", "fatalities_low",
		"fatalities_high", "statement", "source_url"}
)

// CopyIncidents bulk-inserts the incidents that next yields, with their
// sources and claims, in one transaction, through COPY: it returns how many
// it stored. next returns (incident, true, nil) for each incident, then
// (nil, false, nil) at the end; it may reuse the incident it returned before.
//
// It only inserts: an id that already exists fails the whole load (Import
// handles upserts). Each incident gets its first version. It does not call Validate;
// the database checks its constraints. Memory stays constant: incidents go
// in batches of copyBatch, each batch followed by its sources and claims.
// It stops on the first error (from next, from the database, or ctx) and
// then stores nothing; a row the database rejects is named by its id.
func (s *Store) CopyIncidents(ctx context.Context, next func() (*geo.Incident, bool, error)) (int, error) {
	total := 0
	err := s.transact(ctx, nil, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, newVersionsTable); err != nil {
			return translate(err)
		}
		c := &copier{tx: tx, next: next, tables: liveTables, versions: &versionRows{}}
		for {
			n, err := c.batch(ctx)
			total += n
			if err != nil {
				return err
			}
			if n < copyBatch {
				return writeNewVersions(ctx, tx, "synth")
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// copyTables names the tables a copier writes: the live ones, or the
// staging tables of an import.
type copyTables struct{ incidents, sources, claims string }

var liveTables = copyTables{"incidents", "sources", "claims"}

// copier carries one CopyIncidents transaction from batch to batch.
type copier struct {
	tables   copyTables
	tx       *sql.Tx
	next     func() (*geo.Incident, bool, error)
	done     bool
	ids      []string // the batch's incident ids, by COPY line
	sources  []childRow
	claims   []childRow
	versions *versionRows // when set, each new incident also gets its first version
}

// versionRows are the first versions of incidents copied into the live
// tables: their claims and sources as the client has them, in the
// im_new_versions table of the transaction; writeNewVersions turns them
// into versions at the end.
type versionRows struct {
	rows []childRow
}

// newVersionsTable holds what a version needs beyond its incident's row,
// for the incidents a transaction copied. Writing versions from it in one
// INSERT ... SELECT at the end costs the database less than copying every
// column of every incident twice, and the client much less.
const newVersionsTable = `CREATE TEMP TABLE im_new_versions (incident_id text NOT NULL,
	claims jsonb NOT NULL, sources jsonb NOT NULL) ON COMMIT DROP`

var versionCopyColumns = []string{"incident_id", "claims", "sources"}

// add keeps the claims and sources of a new incident for its first version.
func (v *versionRows) add(in *geo.Incident) error {
	p := in.Props()
	claims, err := json.Marshal(p.Claims)
	if err != nil {
		return err
	}
	sources, err := json.Marshal(p.Sources)
	if err != nil {
		return err
	}
	v.rows = append(v.rows, childRow{in.ID, []any{in.ID, string(claims), string(sources)}})
	return nil
}

// writeNewVersions records revision 1 of every incident in im_new_versions,
// written by author, from its row as it is now. Call it before anything
// else in the transaction changes those incidents again.
func writeNewVersions(ctx context.Context, tx *sql.Tx, author string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, revision, op, author, valid_from,
			title, summary, event_type, sub_event_type, geom, location, place_id, country, admin1, admin2,
			geo_precision, starts_at, ends_at, date_precision, actors, fatalities_low, fatalities_best,
			fatalities_high, status, external_ids, synthetic, created_at, updated_at, claims, sources)
		SELECT i.id, 1, 'I', $1, now(), i.title, i.summary, i.event_type, i.sub_event_type, i.geom, i.location,
			i.place_id, i.country, i.admin1, i.admin2, i.geo_precision, i.starts_at, i.ends_at, i.date_precision,
			i.actors, i.fatalities_low, i.fatalities_best, i.fatalities_high, i.status, i.external_ids,
			i.synthetic, i.created_at, i.updated_at, n.claims, n.sources
		FROM im_new_versions n JOIN incidents i ON i.id = n.incident_id`, author)
	return translate(err)
}

// copyAll copies a list of incidents, batch by batch.
func (c *copier) copyAll(ctx context.Context, list []*geo.Incident) error {
	i := 0
	c.done = false
	c.next = func() (*geo.Incident, bool, error) {
		if i == len(list) {
			return nil, false, nil
		}
		i++
		return list[i-1], true, nil
	}
	for {
		n, err := c.batch(ctx)
		if err != nil || n < copyBatch {
			return err
		}
	}
}

// childRow is one source or claim row, its values ready for COPY.
type childRow struct {
	incident string // for error messages
	values   []any
}

// batch copies up to copyBatch incidents, then their sources and claims, and
// returns how many incidents it copied.
func (c *copier) batch(ctx context.Context) (int, error) {
	if c.done {
		return 0, nil
	}
	c.ids, c.sources, c.claims = c.ids[:0], c.sources[:0], c.claims[:0]
	if c.versions != nil {
		c.versions.rows = c.versions.rows[:0]
	}
	first, ok, err := c.next()
	if err != nil || !ok {
		c.done = true
		return 0, err
	}
	stmt, err := c.tx.PrepareContext(ctx, pq.CopyIn(c.tables.incidents, incidentCopyColumns...))
	if err != nil {
		return 0, translate(err)
	}
	defer stmt.Close()
	for in := first; in != nil; in, err = c.more() {
		if err := c.copyIncident(ctx, stmt, in); err != nil {
			return 0, err
		}
	}
	if err != nil {
		return 0, err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, c.rowError(c.tables.incidents, err)
	}
	if err := c.copyChildren(ctx, c.tables.sources, sourceCopyColumns, c.sources); err != nil {
		return 0, err
	}
	if c.versions != nil {
		if err := c.copyChildren(ctx, "im_new_versions", versionCopyColumns, c.versions.rows); err != nil {
			return 0, err
		}
	}
	return len(c.ids), c.copyChildren(ctx, c.tables.claims, claimCopyColumns, c.claims)
}

// more returns the next incident of the batch, or nil at the end of the
// batch or of the stream.
func (c *copier) more() (*geo.Incident, error) {
	if len(c.ids) >= copyBatch {
		return nil, nil
	}
	in, ok, err := c.next()
	if err != nil || !ok {
		c.done = true
		return nil, err
	}
	return in, nil
}

// copyIncident sends one incident row and keeps its sources and claims for
// later.
func (c *copier) copyIncident(ctx context.Context, stmt *sql.Stmt, in *geo.Incident) error {
	geom, err := ewkb.Marshal(in.Geometry, 4326)
	if err != nil {
		return fmt.Errorf("incident %s: geometry: %w", in.ID, err)
	}
	ext := "{}"
	if len(in.ExternalIDs) > 0 {
		b, err := json.Marshal(in.ExternalIDs)
		if err != nil {
			return fmt.Errorf("incident %s: external_ids: %w", in.ID, err)
		}
		ext = string(b)
	}
	var placeID any
	if in.PlaceID != "" {
		placeID = in.PlaceID
	}
	row := []any{in.ID, in.Title, in.Summary, in.EventType, in.SubEventType,
		hex.EncodeToString(geom), in.Location, placeID, in.Country, in.Admin1, in.Admin2, in.GeoPrecision,
		in.StartsAt, in.EndsAt, in.DatePrecision, pq.Array(nonNilStrings(in.Actors)),
		in.Fatalities.Low, in.Fatalities.Best, in.Fatalities.High, in.Status, ext, in.Synthetic}
	if c.versions != nil {
		if err := c.versions.add(in); err != nil {
			return fmt.Errorf("incident %s: %w", in.ID, err)
		}
	}
	_, err = stmt.ExecContext(ctx, row...)
	if err != nil {
		// COPY reports a rejected row late, with its line number.
		return c.rowError(c.tables.incidents, err)
	}
	c.ids = append(c.ids, in.ID)
	for pos, src := range in.Sources {
		c.sources = append(c.sources, childRow{in.ID, []any{in.ID, pos, src.URL, src.Publisher, src.Title,
			dateValue(src.PublishedOn), src.Language, src.Note}})
	}
	for pos, cl := range in.Claims {
		c.claims = append(c.claims, childRow{in.ID, []any{in.ID, pos, cl.Claimant, dateValue(cl.ClaimedOn),
			cl.FatalitiesLow, cl.FatalitiesHigh, cl.Statement, cl.Source}})
	}
	return nil
}

// copyChildren copies the rows of a child table (sources, claims).
func (c *copier) copyChildren(ctx context.Context, table string, columns []string, rows []childRow) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := c.tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return translate(err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r.values...); err != nil {
			return c.childError(table, rows, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return c.childError(table, rows, err)
	}
	return nil
}

// copyLine finds the line number in the context of a COPY error.
var copyLine = regexp.MustCompile(`^COPY \w+, line (\d+)`)

// errLine returns the 1-based COPY line a database error is about, or 0.
func errLine(err error) int {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return 0
	}
	m := copyLine.FindStringSubmatch(pe.Where)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// rowError names the incident of the batch an incidents COPY error is about.
func (c *copier) rowError(table string, err error) error {
	if n := errLine(err); n >= 1 && n <= len(c.ids) {
		return fmt.Errorf("incident %s: %w", c.ids[n-1], translate(err))
	}
	return fmt.Errorf("copy %s: %w", table, translate(err))
}

// childError names the incident whose source or claim the database rejected.
func (c *copier) childError(table string, rows []childRow, err error) error {
	if n := errLine(err); n >= 1 && n <= len(rows) {
		return fmt.Errorf("incident %s: %s: %w", rows[n-1].incident, table, translate(err))
	}
	return fmt.Errorf("copy %s: %w", table, translate(err))
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
