package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// words are a map's texts in one language: the viewer's words
// (static/src/js/i18n.js) where it has them.
type words struct {
	incidents   string
	near        func(place string) string
	since       func(day string) string
	until       func(day string) string
	allDates    string
	months      [12]string
	events      map[string]string
	or          string
	actor       func(a string) string
	region      func(a string) string
	country     func(c string) string
	subType     func(t string) string
	minDeaths   func(n int) string
	matching    func(q string) string
	asOf        func(day string) string
	sources     func(list string) string
	more        func(n int) string
	noSources   string
	mapCredit   string
	legendArea  string
	legendGroup string
	legendSize  string
	legendBase  string
	noIncident  string
}

// Languages a map can be written in.
func Languages() []string { return []string{"en", "fr"} }

// translated is a text in English and in French, side by side; in a
// template, %s stands for the value.
type translated [2]string

// texts are the words of a map in both languages (event types: eventTypes).
var texts = struct {
	incidents, near, since, until, allDates translated
	months                                  [2][12]string
	or, actor, region, country, subType     translated
	minDeaths, matching, asOf, sources      translated
	thousands                               translated
	noSources, mapCredit                    translated
	legendArea, legendGroup, legendSize     translated
	legendBase, noIncident                  translated
}{
	incidents: translated{"Incidents", "Incidents"},
	near:      translated{" near %s", " près de %s"},
	since:     translated{"since %s", "depuis le %s"},
	until:     translated{"until %s", "jusqu’au %s"},
	allDates:  translated{"all dates", "toutes dates"},
	months: [2][12]string{
		{"January", "February", "March", "April", "May", "June", "July", "August",
			"September", "October", "November", "December"},
		{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
			"septembre", "octobre", "novembre", "décembre"},
	},
	or:          translated{" or ", " ou "},
	actor:       translated{"actor: %s", "acteur : %s"},
	region:      translated{"region: %s", "région : %s"},
	country:     translated{"country: %s", "pays : %s"},
	subType:     translated{"type: %s", "type : %s"},
	minDeaths:   translated{"at least %s death", "au moins %s mort"}, // then plural
	thousands:   translated{",", "\u202f"},
	matching:    translated{"matching “%s”", "contenant « %s »"},
	asOf:        translated{"data as of %s", "données au %s"},
	sources:     translated{"Sources: %s", "Sources : %s"},
	noSources:   translated{"Sources: no incident shown", "Sources : aucun incident affiché"},
	mapCredit:   translated{"Map: incidentmap · Basemap: Natural Earth", "Carte : incidentmap · Fond : Natural Earth"},
	legendArea:  translated{"Approximate place (area)", "Lieu approximatif (zone)"},
	legendGroup: translated{"Group of incidents (count)", "Groupe d’incidents (nombre)"},
	legendSize:  translated{"Size: deaths (best estimate)", "Taille : nombre de morts"},
	legendBase:  translated{"Base, coloured by holder", "Base, couleur du détenteur"},
	noIncident:  translated{"No incident in this window and area", "Aucun incident dans cette période et cette zone"},
}

// wordsOf returns the words of lang: "fr", or else English.
func wordsOf(lang string) *words {
	i := 0
	if lang == "fr" {
		i = 1
	}
	t := texts
	fill := func(template translated) func(string) string {
		return func(v string) string { return fmt.Sprintf(template[i], v) }
	}
	events := make(map[string]string, len(eventTypes))
	for k, e := range eventTypes {
		events[k] = e.name[i]
	}
	more := func(n int) string { return fmt.Sprintf(" and %d more", n) }
	if i == 1 {
		more = func(n int) string { return fmt.Sprintf(" et %d autre%s", n, plural(n)) }
	}
	return &words{
		incidents: t.incidents[i], near: fill(t.near), since: fill(t.since), until: fill(t.until),
		allDates: t.allDates[i], months: t.months[i], events: events, or: t.or[i],
		actor: fill(t.actor), region: fill(t.region), country: fill(t.country), subType: fill(t.subType),
		minDeaths: func(n int) string {
			return fmt.Sprintf(t.minDeaths[i], group(n, t.thousands[i])) + plural(n)
		},
		matching: fill(t.matching), asOf: fill(t.asOf), sources: fill(t.sources), more: more,
		noSources: t.noSources[i], mapCredit: t.mapCredit[i], legendArea: t.legendArea[i],
		legendGroup: t.legendGroup[i], legendSize: t.legendSize[i], legendBase: t.legendBase[i],
		noIncident: t.noIncident[i],
	}
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// group writes n with thousands separated by sep: 12,500.
func group(n int, sep string) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' && s[i-1] != '-' {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (w *words) event(t string) string {
	if n, ok := w.events[t]; ok {
		return n
	}
	return strings.ReplaceAll(t, "_", " ")
}

// dayNum is the day of the month as written: "1er" in French.
func (w *words) dayNum(t time.Time) string {
	if t.Day() == 1 && w.months[0] == "janvier" {
		return "1er"
	}
	return strconv.Itoa(t.Day())
}

// day writes one day: "27 March 2022", "1er avril 2022".
func (w *words) day(t time.Time) string {
	return fmt.Sprintf("%s %s %d", w.dayNum(t), w.months[t.Month()-1], t.Year())
}

// days writes a range of whole days as people do: "27-31 March 2022",
// "27 March - 3 April 2022", "27-31 mars 2022" (as the viewer does).
func (w *words) days(a, b time.Time) string {
	switch {
	case a.Year() == b.Year() && a.YearDay() == b.YearDay():
		return w.day(a)
	case a.Year() == b.Year() && a.Month() == b.Month():
		return fmt.Sprintf("%s-%s %s %d", w.dayNum(a), w.dayNum(b), w.months[b.Month()-1], b.Year())
	case a.Year() == b.Year():
		return fmt.Sprintf("%s %s - %s", w.dayNum(a), w.months[a.Month()-1], w.day(b))
	}
	return w.day(a) + " - " + w.day(b)
}
