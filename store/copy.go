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
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/lib/pq"
	"github.com/paulmach/orb/encoding/ewkb"

	"incidentmap/geo"
)

// copyBatch is how many incidents one COPY statement sends: memory stays
// bounded whatever the count, and each statement stays well inside the
// statement timeout.
const copyBatch = 10000

// incidentCopyColumns are every column of incidents a writer sets (see
// incidentRow): not created_at and updated_at, which default to now(), nor
// revision.
var incidentCopyColumns = []string{"id", "title", "summary", "event_type", "sub_event_type", "geom",
	"location", "place_id", "country", "admin1", "admin2", "geo_precision", "starts_at", "ends_at",
	"date_precision", "actors", "fatalities_low", "fatalities_best", "fatalities_high", "status",
	"external_ids", "synthetic", "claims", "sources", "words", "actors_folded"}

// incidentRow returns the values of incidentCopyColumns for in, with the
// geometry as hex EWKB (what COPY reads).
func incidentRow(in *geo.Incident) ([]any, error) {
	geom, err := ewkb.Marshal(in.Geometry, 4326)
	if err != nil {
		return nil, fmt.Errorf("incident %s: geometry: %w", in.ID, err)
	}
	ext := "{}"
	if len(in.ExternalIDs) > 0 {
		b, err := json.Marshal(in.ExternalIDs)
		if err != nil {
			return nil, fmt.Errorf("incident %s: external_ids: %w", in.ID, err)
		}
		ext = string(b)
	}
	claims, sources, err := claimsAndSources(in)
	if err != nil {
		return nil, fmt.Errorf("incident %s: %w", in.ID, err)
	}
	var placeID any
	if in.PlaceID != "" {
		placeID = in.PlaceID
	}
	words, actors := searchColumns(in)
	return []any{in.ID, in.Title, in.Summary, in.EventType, in.SubEventType,
		hex.EncodeToString(geom), in.Location, placeID, in.Country, in.Admin1, in.Admin2, in.GeoPrecision,
		in.StartsAt, in.EndsAt, in.DatePrecision, pq.Array(nonNilStrings(in.Actors)),
		in.Fatalities.Low, in.Fatalities.Best, in.Fatalities.High, in.Status, ext, in.Synthetic,
		claims, sources, words, actors}, nil
}

// claimsAndSources returns an incident's claims and sources as the JSON
// arrays its row keeps, in their wire form. jsonv1 writes what
// encoding/json would, faster.
func claimsAndSources(in *geo.Incident) (claims, sources string, err error) {
	p := in.Props()
	c, err := jsonv1.Marshal(p.Claims)
	if err != nil {
		return "", "", err
	}
	s, err := jsonv1.Marshal(p.Sources)
	if err != nil {
		return "", "", err
	}
	if p.Claims == nil {
		c = []byte("[]")
	}
	if p.Sources == nil {
		s = []byte("[]")
	}
	return string(c), string(s), nil
}

// CopyIncidents bulk-inserts the incidents that next yields, in one
// transaction, through COPY: it returns how many it stored. next returns
// (incident, true, nil) for each incident, then (nil, false, nil) at the
// end; it may reuse the incident it returned before.
//
// It only inserts: an id that already exists fails the whole load (Import
// handles upserts). Each incident gets its first version. It does not call
// Validate; the database checks its constraints. Memory stays constant:
// incidents go in batches of copyBatch. It stops on the first error (from
// next, from the database, or ctx) and then stores nothing; a row the
// database rejects is named by its id.
func (s *Store) CopyIncidents(ctx context.Context, next func() (*geo.Incident, bool, error)) (int, error) {
	total := 0
	err := s.transact(ctx, nil, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, newIDsTable); err != nil {
			return translate(err)
		}
		c := &copier{tx: tx, table: "incidents", recordNew: true}
		rows := make([]copyRow, 0, copyBatch)
		for {
			in, ok, err := next()
			if err != nil {
				return err
			}
			if ok {
				row, err := newCopyRow(in)
				if err != nil {
					return err
				}
				rows = append(rows, row)
			}
			if len(rows) == copyBatch || !ok && len(rows) > 0 {
				if err := c.copyRows(ctx, rows); err != nil {
					return err
				}
				total += len(rows)
				rows = rows[:0]
			}
			if !ok {
				return writeNewVersions(ctx, tx, "synth")
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// copyRow is one incident ready for COPY: its id and the values of
// incidentCopyColumns.
type copyRow struct {
	id     string
	values []any
}

func newCopyRow(in *geo.Incident) (copyRow, error) {
	values, err := incidentRow(in)
	return copyRow{in.ID, values}, err
}

// copier copies rows of incidents within one CopyIncidents or Import
// transaction.
type copier struct {
	table     string // incidents, or an import's staging table
	tx        *sql.Tx
	recordNew bool // whether the ids also go to im_new_ids, for writeNewVersions
	unlogged  bool // whether the change log's trigger is off (a bulk load)
}

// newIDsTable lists the incidents a transaction copied into the live table,
// whose first versions writeNewVersions writes at the end.
// logged says whether the change log's trigger saw the row (see
// bulkLoad.logChanges).
const newIDsTable = `CREATE TEMP TABLE im_new_ids (id text NOT NULL, logged boolean NOT NULL) ON COMMIT DROP`

// writeNewVersions records revision 1 of every incident in im_new_ids,
// written by author: versions that keep their data in the incident's row
// (data_in_row) until it first changes (see materialize), so that an
// import does not write every row twice (BENCHMARKS.md, "Figures behind the code").
func writeNewVersions(ctx context.Context, tx *sql.Tx, author string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (incident_id, revision, op, author, valid_from,
			data_in_row)
		SELECT id, 1, 'I', $1, now(), true FROM im_new_ids`, author)
	return translate(err)
}

// copyRows copies rows in one COPY statement (at most copyBatch of them,
// so that it stays well inside the statement timeout).
func (c *copier) copyRows(ctx context.Context, rows []copyRow) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := c.tx.PrepareContext(ctx, "COPY "+pq.QuoteIdentifier(c.table)+" ("+strings.Join(incidentCopyColumns, ", ")+") FROM STDIN")
	if err != nil {
		return translate(err)
	}
	defer stmt.Close()
	for i, r := range rows {
		if _, err := stmt.ExecContext(ctx, r.values...); err != nil {
			// COPY reports a rejected row late, with its line number.
			return rowError(c.table, rows[:i], err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return rowError(c.table, rows, err)
	}
	if c.recordNew {
		return c.copyIDs(ctx, rows)
	}
	return nil
}

// copyIDs adds the ids of rows to im_new_ids.
func (c *copier) copyIDs(ctx context.Context, rows []copyRow) error {
	stmt, err := c.tx.PrepareContext(ctx, "COPY im_new_ids (id, logged) FROM STDIN")
	if err != nil {
		return translate(err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r.id, !c.unlogged); err != nil {
			return translate(err)
		}
	}
	_, err = stmt.ExecContext(ctx)
	return translate(err)
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

// rowError names the incident among sent, the rows a COPY into table had
// sent, that an error is about.
func rowError(table string, sent []copyRow, err error) error {
	if n := errLine(err); n >= 1 && n <= len(sent) {
		return fmt.Errorf("incident %s: %w", sent[n-1].id, translate(err))
	}
	return fmt.Errorf("copy %s: %w", table, translate(err))
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
