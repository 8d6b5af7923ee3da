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

func wordsOf(lang string) *words {
	if lang == "fr" {
		return &words{
			incidents: "Incidents",
			near:      func(p string) string { return " près de " + p },
			since:     func(d string) string { return "depuis le " + d },
			until:     func(d string) string { return "jusqu’au " + d },
			allDates:  "toutes dates",
			months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
				"septembre", "octobre", "novembre", "décembre"},
			events: map[string]string{"battles": "Combats", "explosions_remote_violence": "Explosions et violences à distance",
				"violence_against_civilians": "Violences contre les civils", "protests": "Manifestations",
				"riots": "Émeutes", "strategic_developments": "Développements stratégiques"},
			or:          " ou ",
			actor:       func(a string) string { return "acteur : " + a },
			region:      func(a string) string { return "région : " + a },
			country:     func(c string) string { return "pays : " + c },
			subType:     func(t string) string { return "type : " + t },
			minDeaths:   func(n int) string { return "au moins " + group(n, "\u202f") + " mort" + plural(n) },
			matching:    func(q string) string { return "contenant « " + q + " »" },
			asOf:        func(d string) string { return "données au " + d },
			sources:     func(l string) string { return "Sources : " + l },
			more:        func(n int) string { return fmt.Sprintf(" et %d autre%s", n, plural(n)) },
			noSources:   "Sources : aucun incident affiché",
			mapCredit:   "Carte : incidentmap · Fond : Natural Earth",
			legendArea:  "Lieu approximatif (zone)",
			legendGroup: "Groupe d’incidents (nombre)",
			legendSize:  "Taille : nombre de morts",
			legendBase:  "Base, couleur du détenteur",
			noIncident:  "Aucun incident dans cette période et cette zone",
		}
	}
	return &words{
		incidents: "Incidents",
		near:      func(p string) string { return " near " + p },
		since:     func(d string) string { return "since " + d },
		until:     func(d string) string { return "until " + d },
		allDates:  "all dates",
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August",
			"September", "October", "November", "December"},
		events: map[string]string{"battles": "Battles", "explosions_remote_violence": "Explosions and remote violence",
			"violence_against_civilians": "Violence against civilians", "protests": "Protests", "riots": "Riots",
			"strategic_developments": "Strategic developments"},
		or:          " or ",
		actor:       func(a string) string { return "actor: " + a },
		region:      func(a string) string { return "region: " + a },
		country:     func(c string) string { return "country: " + c },
		subType:     func(t string) string { return "type: " + t },
		minDeaths:   func(n int) string { return "at least " + group(n, ",") + " death" + plural(n) },
		matching:    func(q string) string { return "matching “" + q + "”" },
		asOf:        func(d string) string { return "data as of " + d },
		sources:     func(l string) string { return "Sources: " + l },
		more:        func(n int) string { return fmt.Sprintf(" and %d more", n) },
		noSources:   "Sources: no incident shown",
		mapCredit:   "Map: incidentmap · Basemap: Natural Earth",
		legendArea:  "Approximate place (area)",
		legendGroup: "Group of incidents (count)",
		legendSize:  "Size: deaths (best estimate)",
		legendBase:  "Base, coloured by holder",
		noIncident:  "No incident in this window and area",
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
