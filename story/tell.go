package story

import (
	"fmt"
	"strings"

	"incidentmap/geo"
	"incidentmap/render"
)

// The sentences of a description, in English and French.

func (w *words) noIncident(window string) string {
	if w.fr {
		return "Aucun incident dans cette zone, " + window + "."
	}
	return "No incident in this area, " + window + "."
}

// bestDeaths ends an overview: "; 17 people killed by the best estimates".
func (w *words) bestDeaths(n int) string {
	if w.fr {
		return fmt.Sprintf(" ; %s mort%s selon les meilleures estimations", render.Count(w.lang, n), plural(n))
	}
	return fmt.Sprintf("; %s killed by the best estimates", w.people(n))
}

func (w *words) people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return render.Count(w.lang, n) + " people"
}

// tolls are the words of a death toll in one language.
type tolls struct {
	none, person, people, was, were, atLeast, atMost, between string
}

var (
	englishTolls = tolls{none: "no one was killed", person: "1 person", people: "%s people", was: " was killed",
		were: " were killed", atLeast: "at least ", atMost: "at most ", between: "between %s and "}
	frenchTolls = tolls{none: "personne n’a été tué", person: "1 personne", people: "%s personnes", was: " a été tuée",
		were: " ont été tuées", atLeast: "au moins ", atMost: "au plus ", between: "entre %s et "}
)

// killed is how many were killed, by a figure from lo to hi (nil: open):
// "at least 500 people were killed", "personne n’a été tué".
func (w *words) killed(lo, hi *int) string {
	t := englishTolls
	if w.fr {
		t = frenchTolls
	}
	who := func(k int) string {
		if k == 1 {
			return t.person + t.was
		}
		return fmt.Sprintf(t.people, render.Count(w.lang, k)) + t.were
	}
	switch {
	case lo != nil && hi != nil && *lo == *hi && *lo == 0:
		return t.none
	case lo != nil && hi != nil && *lo == *hi:
		return who(*lo)
	case hi == nil:
		return t.atLeast + who(*lo)
	case lo == nil:
		return t.atMost + who(*hi)
	}
	return fmt.Sprintf(t.between, render.Count(w.lang, *lo)) + who(*hi)
}

// according names who says so: ", according to OHCHR (12 May 2023)".
func (w *words) according(c geo.Claim) string {
	s := ", according to "
	if w.fr {
		s = ", selon "
	}
	return s + w.claimant(c) + w.claimedOn(c)
}

func (w *words) claimant(c geo.Claim) string {
	if name := short(c.Claimant, 80); name != "" {
		return name
	}
	if w.fr {
		return "une source inconnue"
	}
	return "an unknown claimant"
}

func (w *words) claimedOn(c geo.Claim) string {
	if c.ClaimedOn == nil {
		return ""
	}
	return " (" + render.Day(w.lang, c.ClaimedOn.Time) + ")"
}

func (w *words) bestEstimate() string {
	if w.fr {
		return " (meilleure estimation)"
	}
	return " (best estimate)"
}

func (w *words) noToll() string {
	if w.fr {
		return " ; aucun bilan n’a été donné"
	}
	return "; no death toll was given"
}

// titled puts an incident's title before what is said of it.
func (w *words) titled(title, s string) string {
	if title == "" {
		return capital(s)
	}
	if w.fr {
		return "« " + title + " » : " + s
	}
	return title + ": " + s
}

// otherClaims lists the claims besides the lead one, at most claimsSaid:
// "Other claims: Human Rights Watch, 300 (5 April 2022); ...".
func (w *words) otherClaims(claims []geo.Claim, lead bool) string {
	var parts []string
	for _, c := range claims[:min(len(claims), claimsSaid)] {
		parts = append(parts, w.claimant(c)+", "+w.figure(c)+w.claimedOn(c))
	}
	head, sep, more := "Claims: ", "; ", fmt.Sprintf("; and %d more", len(claims)-claimsSaid)
	if lead {
		head = "Other claims: "
	}
	if w.fr {
		head, sep, more = "Bilans : ", " ; ", fmt.Sprintf(" ; et %d autre%s", len(claims)-claimsSaid, plural(len(claims)-claimsSaid))
		if lead {
			head = "Autres bilans : "
		}
	}
	s := head + strings.Join(parts, sep)
	if len(claims) > claimsSaid {
		s += more
	}
	return s + "."
}

// figure is a claim's figure: "300", "at least 500", "40-50", "none", "no
// figure".
func (w *words) figure(c geo.Claim) string {
	lo, hi := c.FatalitiesLow, c.FatalitiesHigh
	n := func(p *int) string { return render.Count(w.lang, *p) }
	atLeast, atMost, none, noFigure := "at least ", "at most ", "none", "no figure"
	if w.fr {
		atLeast, atMost, none, noFigure = "au moins ", "au plus ", "aucun mort", "aucun chiffre"
	}
	switch {
	case lo == nil && hi == nil:
		return noFigure
	case hi == nil:
		return atLeast + n(lo)
	case lo == nil:
		return atMost + n(hi)
	case *lo == *hi && *lo == 0:
		return none
	case *lo == *hi:
		return n(lo)
	}
	return n(lo) + "-" + n(hi)
}

func (w *words) differ() string {
	if w.fr {
		return "Les bilans diffèrent."
	}
	return "The claims differ."
}

// rest says how many incidents are not told: "2 more incidents are not
// described here."
func (w *words) rest(n int, more bool) string {
	c := render.Count(w.lang, n)
	if w.fr {
		s := c + " autre" + plural(n) + " incident" + plural(n) + " ne " + map[bool]string{true: "sont", false: "est"}[n > 1] +
			" pas décrit" + plural(n) + " ici."
		if more {
			s = "Plus de " + s
		}
		return capital(s)
	}
	s := c + " more incident" + plural(n) + " " + map[bool]string{true: "are", false: "is"}[n > 1] + " not described here."
	if more {
		s = "More than " + s
	}
	return capital(s)
}
