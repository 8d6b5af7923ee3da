package story

import (
	"fmt"
	"strings"

	"incidentmap/geo"
	"incidentmap/render"
)

// Describe tells the view in a few sentences, in its language: how many
// incidents, where and when, with the deaths of the best estimates (when
// every incident is read); then the most significant few (the highlighted
// one first) in full: title, deaths by the lead claim and its claimant,
// place and admin1 region, dates, the other claims with their claimants
// and whether the claims differ; then how many more there are. Places and
// dates known only roughly say so. Its length is bounded whatever the
// view: the data's texts are cut, and at most a few claims are told.
//
// "Killings in Moura: at least 500 people were killed in Moura, Mopti
// region, between 27 and 31 March 2022, according to OHCHR (12 May 2023).
// Other claims: Human Rights Watch, 300 (5 April 2022); ... The claims
// differ."
func Describe(v View) string {
	w := wordsOf(v.Lang)
	list := v.Ordered()
	if len(list) == 0 {
		return w.noIncident(render.Window(v.Lang, v.Filter.Time))
	}
	var out []string
	total := v.total()
	if total > 1 || v.More {
		out = append(out, v.overview(w))
	}
	told := 0
	for _, in := range list[:min(detailed, len(list))] {
		out = append(out, v.tell(w, in))
		if v.Highlight == nil || in.ID != v.Highlight.ID || v.inView(in.ID) {
			told++
		}
	}
	if rest := total - told; rest > 0 {
		out = append(out, w.rest(rest, v.More))
	}
	return strings.Join(out, " ")
}

func (v View) inView(id string) bool {
	for _, in := range v.Incidents {
		if in.ID == id {
			return true
		}
	}
	return false
}

// overview is the first sentence of a view of several incidents: "3
// incidents near Sévaré, Niono and Bapho, 24 April 2022; 17 people killed
// by the best estimates."
func (v View) overview(w *words) string {
	s := capital(w.count(v.total(), v.More))
	all := v
	all.Highlight = nil // the overview is of the whole view
	if places := all.places(w, w.in); places != "" {
		s += " " + places
	}
	s += ", " + render.Window(v.Lang, v.Filter.Time)
	if v.complete() {
		sum, known := 0, false
		for _, in := range v.Incidents {
			if in.Fatalities.Best != nil {
				sum, known = sum+*in.Fatalities.Best, true
			}
		}
		if known {
			s += w.bestDeaths(sum)
		}
	}
	return s + "."
}

// tell is the story of one incident: its title, then who says how many
// were killed, where and when.
func (v View) tell(w *words, in geo.Incident) string {
	where := v.where(w, in)
	when := w.when(in)
	lead, others := leadClaim(in)
	var s string
	switch {
	case lead != nil:
		s = fmt.Sprintf("%s %s, %s%s", w.killed(lead.FatalitiesLow, lead.FatalitiesHigh), where, when, w.according(*lead))
	case in.Fatalities.Best != nil:
		s = fmt.Sprintf("%s %s, %s%s", w.killed(in.Fatalities.Best, in.Fatalities.Best), where, when, w.bestEstimate())
	default:
		s = fmt.Sprintf("%s, %s%s", where, when, w.noToll())
	}
	s = w.titled(short(in.Title, 120), s) + "."
	if len(others) > 0 {
		s += " " + w.otherClaims(others, lead != nil)
	}
	if disputed(in.Claims) {
		s += " " + w.differ()
	}
	return s
}

// where is an incident's place at its precision, with its admin1 region:
// "in Moura, Mopti region", "near Sévaré (within about 5 km), Mopti
// region", "somewhere in Soum province, Sahel region".
func (v View) where(w *words, in geo.Incident) string {
	admin1 := short(in.Admin1, 60)
	s := v.spotOf(w, in, w.in)
	text := s.String()
	switch in.GeoPrecision {
	case "exact", "":
	case "near":
		text += w.within5km
	default:
		text = w.somewhere + text
	}
	if admin1 != "" && in.GeoPrecision != "admin1" {
		text += ", " + strings.TrimPrefix(strings.TrimPrefix(w.region(admin1), "the "), "la ")
	}
	return text
}

// when writes an incident's dates at their precision.
func (w *words) when(in geo.Incident) string {
	a, b := in.StartsAt.UTC(), in.EndsAt.UTC()
	switch in.DatePrecision {
	case "week":
		if a.Format("2006-01-02") == b.Format("2006-01-02") {
			return w.around(render.Day(w.lang, a))
		}
		return w.around(render.Window(w.lang, geo.Interval{Start: &a, End: ptr(b.Add(1))}))
	case "month":
		return w.monthOf(render.Months(w.lang, a, b))
	case "year":
		y := fmt.Sprint(a.Year())
		if b.Year() != a.Year() {
			y += fmt.Sprintf("-%d", b.Year())
		}
		return w.yearOf(y)
	}
	return render.Between(w.lang, a, b)
}

func ptr[T any](v T) *T { return &v }

// leadClaim is the claim whose figure is the incident's best estimate (the
// one the data trusts most), and the others in their order.
func leadClaim(in geo.Incident) (*geo.Claim, []geo.Claim) {
	best := in.Fatalities.Best
	if best == nil {
		return nil, in.Claims
	}
	pick := -1
	for i, c := range in.Claims {
		if c.FatalitiesLow != nil && *c.FatalitiesLow == *best {
			pick = i
			break
		}
		if pick < 0 && c.FatalitiesHigh != nil && *c.FatalitiesHigh == *best {
			pick = i
		}
	}
	if pick < 0 {
		return nil, in.Claims
	}
	others := append(append([]geo.Claim{}, in.Claims[:pick]...), in.Claims[pick+1:]...)
	return &in.Claims[pick], others
}

// disputed reports whether two claims give figures that cannot both be
// true: ranges that do not meet.
func disputed(claims []geo.Claim) bool {
	lo, hi := -1, -1 // the highest low and the lowest high of the figures
	for _, c := range claims {
		if c.FatalitiesLow == nil && c.FatalitiesHigh == nil {
			continue
		}
		l, h := 0, -1
		if c.FatalitiesLow != nil {
			l = *c.FatalitiesLow
		}
		if c.FatalitiesHigh != nil {
			h = *c.FatalitiesHigh
		}
		lo = max(lo, l)
		if h >= 0 && (hi < 0 || h < hi) {
			hi = h
		}
	}
	return hi >= 0 && lo > hi
}
