// Package story writes what a map shows, from its data, in English and
// French: a caption that names the places of what is shown ("Incidents in
// Moura, 27-31 March 2022") and a text description of the view (how many
// incidents, where, when, and the casualty claims with their claimants,
// disputes included). They are the alt text of map images, the accessible
// description of the interactive maps and the descriptions of pages.
//
// It reads geo values only: the server hands it the most significant
// incidents of a view (Significance, at most Read of them) with their
// claims, how many the view has, and the gazetteer places they name.
// Approximate places and dates say so, in the words of the viewer's panel.
package story

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"incidentmap/geo"
)

// Read is how many incidents of a view a story reads: those it names and
// describes come from these.
const Read = 12

const (
	namedPlaces = 3 // places a caption names at most
	detailed    = 3 // incidents a description tells in full
	claimsSaid  = 4 // claims told per incident besides the lead one
	maxText     = 200
)

// Significance is the order a story ranks incidents in: deaths (the best
// estimate, unknown last), then the most recent; the server reads a view's
// incidents in it. Within it, Ordered also puts larger places first.
var Significance = []geo.SortKey{
	{Property: "fatalities_best", Descending: true}, {Property: "starts_at", Descending: true}, {Property: "id"},
}

// View is a map's view as a story reads it.
type View struct {
	Lang   string     // "fr", else English
	Filter geo.Filter // what the incidents were selected by: its window and event types are said
	// Incidents are the most significant incidents of the view, with their
	// claims (at most Read are used).
	Incidents []geo.Incident
	// Total is how many incidents the view has; More says that there are
	// more than Total (a count that stopped).
	Total int
	More  bool
	// Places are the gazetteer places the incidents name, by id: their
	// names ("near Hombori") and kinds (towns before villages).
	Places map[string]geo.Place
	// Highlight is the incident the view is about, nil when none: the
	// caption names its place alone and the description tells it first.
	Highlight *geo.Incident
}

// complete reports whether the view's incidents are all in Incidents.
func (v View) complete() bool { return !v.More && v.Total <= len(v.Incidents) }

// total is how many incidents the view has, as far as counted.
func (v View) total() int { return max(v.Total, len(v.Incidents)) }

// Ordered is the view's incidents by significance, the highlighted one
// first: deaths, then recency, then the kind of place (cities, towns, then
// villages), then id.
func (v View) Ordered() []geo.Incident {
	list := slices.Clone(v.Incidents[:min(len(v.Incidents), Read)])
	slices.SortStableFunc(list, func(a, b geo.Incident) int {
		if c := cmp.Compare(deaths(b), deaths(a)); c != 0 {
			return c
		}
		if c := b.StartsAt.Compare(a.StartsAt); c != 0 {
			return c
		}
		if c := cmp.Compare(v.kindRank(a), v.kindRank(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if h := v.Highlight; h != nil {
		list = slices.DeleteFunc(list, func(in geo.Incident) bool { return in.ID == h.ID })
		list = slices.Insert(list, 0, *h)
	}
	return list
}

// deaths is the best estimate of an incident's deaths, -1 when unknown.
func deaths(in geo.Incident) int {
	if in.Fatalities.Best == nil {
		return -1
	}
	return *in.Fatalities.Best
}

func (v View) kindRank(in geo.Incident) int {
	p, ok := v.Places[in.PlaceID]
	if !ok {
		return len(geo.PlaceKinds)
	}
	return max(0, slices.Index([]string{"city", "town", "village"}, p.Kind)) // bases and camps as cities
}

// placeName is the name of an incident's place: its gazetteer place's,
// else its location as reported.
func (v View) placeName(in geo.Incident) string {
	if p, ok := v.Places[in.PlaceID]; ok && p.Name != "" {
		return short(p.Name, 60)
	}
	return short(in.Location, 80)
}

// short collapses white space and cuts s to n runes, with an ellipsis.
func short(s string, n int) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
