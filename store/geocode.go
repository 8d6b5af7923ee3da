package store

import (
	"context"
	"strings"

	"incidentmap/geo"
)

// Geocode finds the one place of the gazetteer called name (accent- and
// case-insensitive, alternative names included). country and admin, when
// given, break ties. It never guesses: an unknown name and a name that
// stays ambiguous are EUnprocessable errors naming it (and the candidates).
func (s *Store) Geocode(ctx context.Context, name, country, admin string) (geo.Place, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+placeColumns+` FROM places p
		WHERE im_fold(p.name) = im_fold($1)
		   OR im_fold($1) = ANY(SELECT im_fold(a) FROM unnest(p.alt_names) a)
		ORDER BY p.id`, strings.TrimSpace(name))
	if err != nil {
		return geo.Place{}, translate(err)
	}
	defer rows.Close()
	var found []geo.Place
	for rows.Next() {
		p, err := scanPlace(rows)
		if err != nil {
			return geo.Place{}, translate(err)
		}
		found = append(found, p)
	}
	if err := rows.Err(); err != nil {
		return geo.Place{}, translate(err)
	}
	found = narrow(found, func(p geo.Place) bool { return country != "" && strings.EqualFold(p.Country, country) })
	found = narrow(found, func(p geo.Place) bool {
		return admin != "" && (strings.EqualFold(p.Admin1, admin) || strings.EqualFold(p.Admin2, admin))
	})
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return geo.Place{}, &geo.Error{Code: geo.EUnprocessable, Param: "location",
			Message: "no place named \"" + name + "\" in the gazetteer; give a geometry instead"}
	}
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.ID + " (" + p.Country + ", " + p.Admin1 + ")"
	}
	return geo.Place{}, &geo.Error{Code: geo.EUnprocessable, Param: "location",
		Message: "\"" + name + "\" is ambiguous: " + strings.Join(ids, "; ") + "; give country or admin1, or a geometry"}
}

// narrow keeps the places that pass keep, unless none does.
func narrow(places []geo.Place, keep func(geo.Place) bool) []geo.Place {
	var out []geo.Place
	for _, p := range places {
		if keep(p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return places
	}
	return out
}
