package story

import (
	"context"
	"errors"

	"incidentmap/geo"
)

// Reader reads what a story needs. Failures are *geo.Error values
// (ENotFound for an unknown id) or plain errors.
type Reader interface {
	// Significant returns the first n incidents that match f in the order
	// of Significance, with their claims, and how many match (more: more
	// than total).
	Significant(ctx context.Context, f geo.Filter, n int) (list []geo.Incident, total int, more bool, err error)
	// Incident returns a published incident.
	Incident(ctx context.Context, id string) (geo.Incident, error)
	// Place returns a place of the gazetteer.
	Place(ctx context.Context, id string) (geo.Place, error)
}

// Load reads the view of the incidents matching f, in lang: at most Read
// of them, and the places they name. highlight ("" for none) names the
// incident the view is about; one that is not published is ignored, as
// are places that are not found.
func Load(ctx context.Context, r Reader, lang string, f geo.Filter, highlight string) (View, error) {
	v := View{Lang: lang, Filter: f, Places: map[string]geo.Place{}}
	var err error
	if v.Incidents, v.Total, v.More, err = r.Significant(ctx, f, Read); err != nil {
		return v, err
	}
	if highlight != "" {
		in, err := r.Incident(ctx, highlight)
		switch {
		case err == nil:
			v.Highlight = &in
		case !isNotFound(err):
			return v, err
		}
	}
	for _, in := range v.Ordered() {
		if _, ok := v.Places[in.PlaceID]; ok || in.PlaceID == "" {
			continue
		}
		p, err := r.Place(ctx, in.PlaceID)
		switch {
		case err == nil:
			v.Places[in.PlaceID] = p
		case !isNotFound(err):
			return v, err
		}
	}
	return v, nil
}

func isNotFound(err error) bool {
	var e *geo.Error
	return errors.As(err, &e) && e.Code == geo.ENotFound
}
