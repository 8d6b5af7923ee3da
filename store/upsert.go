package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"
	"github.com/paulmach/orb/encoding/wkb"

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
		for i := range incidents {
			if err := upsertIncident(ctx, tx, &incidents[i]); err != nil {
				return fmt.Errorf("incident %s: %w", incidents[i].ID, err)
			}
		}
		ids := make([]string, len(incidents))
		for i := range incidents {
			ids[i] = incidents[i].ID
		}
		return recordVersions(ctx, tx, idList(ids), author, false, nil)
	})
}

func upsertIncident(ctx context.Context, tx *sql.Tx, in *geo.Incident) error {
	ext, err := json.Marshal(in.ExternalIDs)
	if err != nil {
		return err
	}
	if in.ExternalIDs == nil {
		ext = []byte("{}")
	}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO incidents (id, title, summary, event_type, sub_event_type, geom, location, place_id,
			country, admin1, admin2, geo_precision, starts_at, ends_at, date_precision, actors,
			fatalities_low, fatalities_best, fatalities_high, status, external_ids, synthetic, revision)
		VALUES ($1, $2, $3, $4, $5, ST_GeomFromWKB($6, 4326), $7, nullif($8, ''), $9, $10, $11, $12,
			$13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			(SELECT coalesce(max(revision), 0) + 1 FROM incident_versions WHERE incident_id = $1))
		ON CONFLICT (id) DO UPDATE SET
			title = excluded.title, summary = excluded.summary, event_type = excluded.event_type,
			sub_event_type = excluded.sub_event_type, geom = excluded.geom, location = excluded.location,
			place_id = excluded.place_id, country = excluded.country, admin1 = excluded.admin1,
			admin2 = excluded.admin2, geo_precision = excluded.geo_precision, starts_at = excluded.starts_at,
			ends_at = excluded.ends_at, date_precision = excluded.date_precision, actors = excluded.actors,
			fatalities_low = excluded.fatalities_low, fatalities_best = excluded.fatalities_best,
			fatalities_high = excluded.fatalities_high, status = excluded.status,
			external_ids = excluded.external_ids, synthetic = excluded.synthetic, updated_at = now(),
			revision = incidents.revision + 1
		RETURNING revision`,
		in.ID, in.Title, in.Summary, in.EventType, in.SubEventType, wkb.Value(in.Geometry), in.Location,
		in.PlaceID, in.Country, in.Admin1, in.Admin2, in.GeoPrecision, in.StartsAt, in.EndsAt,
		in.DatePrecision, pq.Array(nonNilStrings(in.Actors)), in.Fatalities.Low, in.Fatalities.Best, in.Fatalities.High,
		in.Status, ext, in.Synthetic).Scan(&in.Revision)
	if err != nil {
		return translate(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM claims WHERE incident_id = $1`, in.ID); err != nil {
		return translate(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE incident_id = $1`, in.ID); err != nil {
		return translate(err)
	}
	for pos, c := range in.Claims {
		_, err := tx.ExecContext(ctx, `INSERT INTO claims (incident_id, position, claimant, claimed_on,
			fatalities_low, fatalities_high, statement, source_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			in.ID, pos, c.Claimant, dateValue(c.ClaimedOn), c.FatalitiesLow, c.FatalitiesHigh, c.Statement, c.Source)
		if err != nil {
			return translate(err)
		}
	}
	for pos, src := range in.Sources {
		_, err := tx.ExecContext(ctx, `INSERT INTO sources (incident_id, position, url, publisher, title,
			published_on, language, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			in.ID, pos, src.URL, src.Publisher, src.Title, dateValue(src.PublishedOn), src.Language, src.Note)
		if err != nil {
			return translate(err)
		}
	}
	return nil
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
