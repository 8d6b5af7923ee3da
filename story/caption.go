package story

import (
	"slices"

	"incidentmap/geo"
	"incidentmap/render"
)

// Caption says what the view shows, in its language: the incidents (or
// the event type they all share: "Attacks"), the places of the most
// significant ones (up to three, "and elsewhere" when others have more;
// the highlighted incident's place alone) at their precision, and the
// window: "Incidents in Moura, 27-31 March 2022", "Attacks near Sévaré,
// Niono and Bapho, 24 April 2022", "Incidents à Moura, 27-31 mars 2022".
// A view with no incident says the window alone: "Incidents, 24 April
// 2022".
func Caption(v View) string {
	w := wordsOf(v.Lang)
	noun, exact := w.subject(v.eventType())
	s := noun
	if places := v.places(w, exact); places != "" {
		s += " " + places
	}
	return s + ", " + render.Window(v.Lang, v.Filter.Time)
}

// PlaceNames are the names of the places the caption names, for the
// labels of a map to show first.
func PlaceNames(v View) []string {
	var names []string
	for _, s := range v.spots(wordsOf(v.Lang), "") {
		names = append(names, s.name)
	}
	return names
}

// eventType is the event type the caption names: the filter's only one,
// else the one all the view's incidents share when there are several and
// all are read; "" for none.
func (v View) eventType() string {
	if len(v.Filter.EventTypes) == 1 {
		return v.Filter.EventTypes[0]
	}
	if len(v.Incidents) < 2 || !v.complete() {
		return ""
	}
	t := v.Incidents[0].EventType
	for _, in := range v.Incidents[1:] {
		if in.EventType != t {
			return ""
		}
	}
	return t
}

// places writes the caption's places: "near Sévaré, Niono and Bapho", "in
// Moura, near Hombori and elsewhere".
func (v View) places(w *words, exact string) string {
	spots := v.spots(w, exact)
	if len(spots) == 0 {
		return ""
	}
	var items []string
	same := !slices.ContainsFunc(spots, func(s spot) bool { return s.prep != spots[0].prep })
	for _, s := range spots {
		if same {
			items = append(items, s.name)
		} else {
			items = append(items, s.String())
		}
	}
	if v.elsewhere(len(spots)) {
		items = append(items, w.elsewhere)
	}
	if same {
		return join(spots[0].prep, w.list(items))
	}
	return w.list(items)
}

// spots are the places a caption names: the highlighted incident's, else
// those of the most significant incidents, each once, up to namedPlaces.
func (v View) spots(w *words, exact string) []spot {
	list := v.Ordered()
	if v.Highlight != nil {
		list = list[:1]
	}
	var out []spot
	for _, in := range list {
		s := v.spotOf(w, in, exact)
		if !slices.ContainsFunc(out, s.sameName) {
			out = append(out, s)
		}
		if len(out) == namedPlaces {
			break
		}
	}
	return out
}

// elsewhere reports whether the view has incidents at other places than
// the named ones.
func (v View) elsewhere(named int) bool {
	if v.Highlight != nil {
		return false
	}
	if !v.complete() {
		return true
	}
	w := wordsOf(v.Lang)
	var all []spot
	for _, in := range v.Incidents {
		if s := v.spotOf(w, in, ""); !slices.ContainsFunc(all, s.sameName) {
			all = append(all, s)
		}
	}
	return len(all) > named
}

// spotOf is where in is, for a caption.
func (v View) spotOf(w *words, in geo.Incident, exact string) spot {
	if exact == "" {
		exact = w.in
	}
	return w.spotOf(in.GeoPrecision, v.placeName(in), short(in.Admin1, 60), short(in.Admin2, 60), in.Country, exact)
}
