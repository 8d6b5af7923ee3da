package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/paulmach/orb/encoding/wkb"

	"incidentmap/geo"
)

// WriteIncident stores in (with its claims and sources) and a new version of
// it, in one transaction, and returns the new revision. The geometry must be
// valid for PostGIS (EUnprocessable naming the reason otherwise).
func (s *Store) WriteIncident(ctx context.Context, in *geo.Incident, w geo.Write) (int, error) {
	err := s.transact(ctx, nil, func(tx *sql.Tx) error {
		var reason string
		err := tx.QueryRowContext(ctx, `SELECT ST_IsValidReason(ST_GeomFromWKB($1, 4326))`, wkb.Value(in.Geometry)).Scan(&reason)
		if err != nil {
			return translate(err)
		}
		if reason != "Valid Geometry" {
			return &geo.Error{Code: geo.EUnprocessable, Param: "geometry", Message: "is not valid: " + reason}
		}
		current, err := lockRevision(ctx, tx, in.ID)
		if err != nil {
			return err
		}
		switch {
		case w.Create && current > 0:
			return &geo.Error{Code: geo.EExists, Param: "id", Message: fmt.Sprintf("an incident %q exists already; PUT or PATCH it", in.ID)}
		case w.Replace && current == 0:
			return geo.NotFound("no incident with id %q", in.ID)
		case w.IfRevision > 0 && w.IfRevision != current:
			return &geo.Error{Code: geo.EConflict, Message: fmt.Sprintf(
				"the incident is at revision %d, not %d: read it again and reapply your change", current, w.IfRevision)}
		}
		if err := materialize(ctx, tx, idList([]string{in.ID})); err != nil {
			return err
		}
		if err := upsertIncident(ctx, tx, in); err != nil {
			return err
		}
		return recordVersions(ctx, tx, idList([]string{in.ID}), w.Author, false, w.Patch)
	})
	return in.Revision, err
}

// DeleteIncident deletes an incident and records the deletion as a version.
func (s *Store) DeleteIncident(ctx context.Context, id, author string, ifRevision int) error {
	return s.transact(ctx, nil, func(tx *sql.Tx) error {
		current, err := lockRevision(ctx, tx, id)
		if err != nil {
			return err
		}
		if current == 0 {
			return geo.NotFound("no incident with id %q", id)
		}
		if ifRevision > 0 && ifRevision != current {
			return &geo.Error{Code: geo.EConflict, Message: fmt.Sprintf("the incident is at revision %d, not %d", current, ifRevision)}
		}
		if err := materialize(ctx, tx, idList([]string{id})); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incidents WHERE id = $1`, id); err != nil {
			return translate(err)
		}
		return recordVersions(ctx, tx, idList([]string{id}), author, true, nil)
	})
}

// lockRevision locks the incident's row for the transaction and returns its
// revision, 0 when it does not exist.
func lockRevision(ctx context.Context, tx *sql.Tx, id string) (int, error) {
	var rev int
	err := tx.QueryRowContext(ctx, `SELECT revision FROM incidents WHERE id = $1 FOR UPDATE`, id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, translate(err)
}

// IncidentForEditor returns the incident with the given id whatever its
// status (draft and retracted included), or ENotFound.
func (s *Store) IncidentForEditor(ctx context.Context, id string) (geo.Incident, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents i WHERE i.id = $1`, id)
	in, err := scanIncident(row)
	if errors.Is(err, sql.ErrNoRows) {
		return in, geo.NotFound("no incident with id %q", id)
	}
	return in, translate(err)
}
