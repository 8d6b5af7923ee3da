package render

import (
	"strings"
	"time"

	"incidentmap/geo"
)

// Caption says in lang (en, fr; others read as en) what a map of the
// incidents matching f shows: "Incidents near Moura, 27-31 March 2022",
// "Combats près de Gao, depuis le 1er mars 2022". place is what the map is
// about ("" for none); a single event type names the subject; the window is
// written in whole UTC days ("all dates" when it is unbounded).
func Caption(lang, place string, f geo.Filter) string {
	w := wordsOf(lang)
	s := w.incidents
	if len(f.EventTypes) == 1 {
		s = w.event(f.EventTypes[0])
	}
	if place != "" {
		s += w.near(place)
	}
	return s + ", " + w.window(f.Time)
}

// window writes a time window in whole UTC days.
func (w *words) window(iv geo.Interval) string {
	last := func() time.Time { return iv.End.Add(-time.Microsecond).UTC() }
	switch {
	case iv.Start != nil && iv.End != nil:
		return w.days(iv.Start.UTC(), last())
	case iv.Start != nil:
		return w.since(w.day(iv.Start.UTC()))
	case iv.End != nil:
		return w.until(w.day(last()))
	}
	return w.allDates
}

// filterNote lists the filters of f that Caption does not say, joined by
// " · ": several event types, sub-event types, countries (named by
// country), regions, actors, a minimum of deaths, the text searched for and
// the instant the data is pinned to. It is "" when there are none.
func filterNote(lang string, f geo.Filter, country func(code string) string) string {
	w := wordsOf(lang)
	var parts []string
	list := func(vs []string, name func(string) string) string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = name(v)
		}
		return strings.Join(out, w.or)
	}
	keep := func(s string) string { return s }
	if len(f.EventTypes) > 1 {
		parts = append(parts, list(f.EventTypes, w.event))
	}
	if len(f.SubEventTypes) > 0 {
		parts = append(parts, w.subType(list(f.SubEventTypes, func(t string) string { return strings.ReplaceAll(t, "_", " ") })))
	}
	if len(f.Countries) > 0 {
		parts = append(parts, w.country(list(f.Countries, country)))
	}
	if len(f.Admin1) > 0 {
		parts = append(parts, w.region(list(f.Admin1, keep)))
	}
	if len(f.Actors) > 0 {
		parts = append(parts, w.actor(list(f.Actors, keep)))
	}
	if f.MinFatalities != nil && *f.MinFatalities > 0 {
		parts = append(parts, w.minDeaths(*f.MinFatalities))
	}
	if f.Query != "" {
		parts = append(parts, w.matching(f.Query))
	}
	if f.AsOf != nil {
		parts = append(parts, w.asOf(w.day(f.AsOf.UTC())))
	}
	return clean(strings.Join(parts, " · "), 300)
}
