package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"incidentmap/geo"
)

// Upsert inserts the places and incidents, or replaces those with the same
// ids (with their control periods, claims and sources), all in one
// transaction: all or nothing. Each incident gets a new version written by
// author.
func (s *Store) Upsert(ctx context.Context, places []geo.Place, incidents []geo.Incident, author string) error {
	return s.transact(ctx, nil, func(tx *sql.Tx) error {
		for i := range places {
			if err := upsertPlace(ctx, tx, &places[i]); err != nil {
				return fmt.Errorf("place %s: %w", places[i].ID, err)
			}
		}
		ids := make([]string, len(incidents))
		for i := range incidents {
			ids[i] = incidents[i].ID
		}
		if err := materialize(ctx, tx, idList(ids)); err != nil {
			return err
		}
		for i := range incidents {
			if err := upsertIncident(ctx, tx, &incidents[i]); err != nil {
				return fmt.Errorf("incident %s: %w", incidents[i].ID, err)
			}
		}
		return recordVersions(ctx, tx, idList(ids), author, false, nil)
	})
}

// upsertIncidents is the statement that inserts the incidents rows yields
// (the values of incidentCopyColumns, then the revision of a new incident),
// or replaces those whose id exists and counts one more revision.
func upsertIncidents(rows string) string {
	var set []string
	for _, c := range incidentCopyColumns[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return `INSERT INTO incidents (` + strings.Join(incidentCopyColumns, ", ") + `, revision) ` + rows + `
		ON CONFLICT (id) DO UPDATE SET ` + strings.Join(set, ", ") + `,
			updated_at = now(), revision = incidents.revision + 1`
}

// upsertIncidentSQL upserts one incident ($1 its id) at the revision after
// its last version.
var upsertIncidentSQL = func() string {
	values := make([]string, len(incidentCopyColumns))
	for i := range values {
		values[i] = fmt.Sprintf("$%d", i+1)
	}
	return upsertIncidents(`VALUES (`+strings.Join(values, ", ")+`,
		(SELECT coalesce(max(revision), 0) + 1 FROM incident_versions WHERE incident_id = $1))`) + ` RETURNING revision`
}()

// upsertIncident inserts or replaces in, with its claims and sources, and
// sets in.Revision.
func upsertIncident(ctx context.Context, tx *sql.Tx, in *geo.Incident) error {
	row, err := incidentRow(in)
	if err != nil {
		return err
	}
	return translate(tx.QueryRowContext(ctx, upsertIncidentSQL, row...).Scan(&in.Revision))
}

func upsertPlace(ctx context.Context, tx *sql.Tx, p *geo.Place) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO places (id, name, alt_names, kind, country, admin1, admin2, geom,
			geo_precision, geo_note, note, coordinate_source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, ST_SetSRID(ST_MakePoint($8, $9), 4326), $10, $11, $12, $13)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, alt_names = excluded.alt_names,
			kind = excluded.kind, country = excluded.country, admin1 = excluded.admin1,
			admin2 = excluded.admin2, geom = excluded.geom, geo_precision = excluded.geo_precision,
			geo_note = excluded.geo_note, note = excluded.note,
			coordinate_source = excluded.coordinate_source`,
		p.ID, p.Name, pq.Array(p.AltNames), p.Kind, p.Country, p.Admin1, p.Admin2, p.Point[0], p.Point[1],
		p.GeoPrecision, p.GeoNote, p.Note, p.CoordinateSource)
	if err != nil {
		return translate(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM place_control WHERE place_id = $1`, p.ID); err != nil {
		return translate(err)
	}
	for pos, c := range p.Control {
		_, err := tx.ExecContext(ctx, `INSERT INTO place_control (place_id, position, holder,
			valid_from, valid_to, source, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.ID, pos, c.Holder, dateValue(c.From), dateValue(c.To), c.Source, c.Note)
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// dateValue turns an optional date into a driver value (NULL when nil).
func dateValue(d *geo.Date) any {
	if d == nil {
		return nil
	}
	return d.Format("2006-01-02")
}
