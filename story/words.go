package story

import (
	"strings"

	"incidentmap/render"
)

// words are a story's phrases in one language. Places and dates at their
// precision are worded as the viewer's incident panel words them
// (static/src/js/panel.js); days, windows and event names come from
// render, as the map images say them.
type words struct {
	lang                 string
	fr                   bool
	and, elsewhere       string
	incidents, attacks   string
	in, on, near, inArea string
	province, cercle     func(a string) string // an admin2 area of Burkina Faso, of Mali
	region               func(a string) string // an admin1 area
	regionOf, country    func(p string) string
	within5km, somewhere string
	around               func(d string) string
	monthOf, yearOf      func(d string) string
}

var english = words{
	lang: "en", and: " and ", elsewhere: "elsewhere", incidents: "Incidents", attacks: "Attacks",
	in: "in", on: "on", near: "near", inArea: "in",
	province: func(a string) string { return a + " province" }, cercle: func(a string) string { return a + " cercle" },
	region:   func(a string) string { return "the " + a + " region" },
	regionOf: func(p string) string { return "the region of " + p }, country: func(p string) string { return p },
	within5km: " (within about 5 km)", somewhere: "somewhere ",
	around:  func(d string) string { return "around " + d + " (to within a week)" },
	monthOf: func(d string) string { return d + " (to the month)" },
	yearOf:  func(d string) string { return "in " + d + " (to the year)" },
}

var french = words{
	lang: "fr", fr: true, and: " et ", elsewhere: "ailleurs", incidents: "Incidents", attacks: "Attaques",
	in: "à", on: "à", near: "près de", inArea: "dans",
	province: func(a string) string { return "la province du " + a }, cercle: func(a string) string { return "le cercle de " + a },
	region:   func(a string) string { return "la région " + of(a) },
	regionOf: func(p string) string { return "la région " + of(p) }, country: func(p string) string { return p },
	within5km: " (à 5 km environ)", somewhere: "quelque part ",
	around:  func(d string) string { return "vers le " + d + " (à une semaine près)" },
	monthOf: func(d string) string { return d + " (au mois près)" },
	yearOf:  func(d string) string { return "en " + d + " (à l’année près)" },
}

func wordsOf(lang string) *words {
	if lang == "fr" {
		return &french
	}
	return &english
}

// of is French "de p", elided before a vowel: "de Mopti", "d’Agadez".
func of(p string) string {
	if r := []rune(strings.ToLower(p)); len(r) > 0 && strings.ContainsRune("aeiouéèêâîôûy", r[0]) {
		return "d’" + p
	}
	return "de " + p
}

// list joins items as a sentence does: "A", "A and B", "A, B and C".
func (w *words) list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + w.and + items[len(items)-1]
}

// subject is what a caption calls the incidents: the event type they all
// share, else "Incidents"; exact is the preposition of an exact place.
func (w *words) subject(eventType string) (noun, exact string) {
	switch eventType {
	case "":
		return w.incidents, w.in
	case "battles":
		return w.attacks, w.on
	}
	return render.EventName(w.lang, eventType), w.in
}

// spot is where an incident is, at its precision, as a preposition and a
// name: ("in", "Moura"), ("near", "Hombori"), ("in", "Soum province").
type spot struct{ prep, name string }

func (s spot) String() string {
	return join(s.prep, s.name)
}

// area is the admin2 area of an incident, named as in its country.
func (w *words) area(admin2, country string) string {
	switch country {
	case "BF":
		return w.province(admin2)
	case "ML":
		return w.cercle(admin2)
	}
	return admin2
}

// spotOf is where an incident is: its place (name) at its precision;
// exact is the preposition of an exact place.
func (w *words) spotOf(precision, name, admin1, admin2, country, exact string) spot {
	in := w.inArea
	switch precision {
	case "exact", "":
		return spot{exact, name}
	case "near":
		return spot{w.near, name}
	case "admin2":
		if admin2 != "" {
			return spot{in, w.area(admin2, country)}
		}
		return spot{in, w.regionOf(name)}
	case "admin1":
		if admin1 != "" {
			return spot{in, w.region(admin1)}
		}
	case "country":
		if w.fr {
			return spot{"au", name}
		}
		return spot{in, w.country(name)}
	}
	return spot{in, w.regionOf(name)}
}

// count writes n incidents: "3 incidents", "1 incident", "more than
// 10,000 incidents".
func (w *words) count(n int, more bool) string {
	s := render.Count(w.lang, n) + " incident" + plural(n)
	if more {
		if w.fr {
			return "plus de " + s
		}
		return "more than " + s
	}
	return s
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// capital writes s with a capital first letter.
func capital(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func (s spot) sameName(o spot) bool { return s.name == o.name }

// join writes a preposition and a name: "near Hombori", "près d’Ansongo".
func join(prep, name string) string {
	if prep == "près de" {
		return "près " + of(name)
	}
	return prep + " " + name
}
