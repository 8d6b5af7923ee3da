package render

import (
	"fmt"
	"strings"
	"time"

	"incidentmap/geo"
)

// The words of maps, for the texts written beside them (package story):
// the same days, windows and event names as the images say.

// Day writes one UTC day in lang: "27 March 2022", "1er avril 2022".
func Day(lang string, t time.Time) string { return wordsOf(lang).day(t.UTC()) }

// Window writes a time window in whole UTC days, as captions do:
// "27-31 March 2022", "since 1 March 2022", "all dates".
func Window(lang string, iv geo.Interval) string { return wordsOf(lang).window(iv) }

// Between writes the whole UTC days from a to b as a sentence says them:
// "on 24 April 2022", "between 27 and 31 March 2022", "du 27 au 31 mars
// 2022", "between 27 March and 3 April 2022".
func Between(lang string, a, b time.Time) string {
	w, fr := wordsOf(lang), lang == "fr"
	a, b = a.UTC(), b.UTC()
	one, sameMonth, sameYear := a.Format(time.DateOnly) == b.Format(time.DateOnly),
		a.Year() == b.Year() && a.Month() == b.Month(), a.Year() == b.Year()
	first := w.day(a)
	switch {
	case one && fr:
		return "le " + w.day(a)
	case one:
		return "on " + w.day(a)
	case sameMonth:
		first = w.dayNum(a)
	case sameYear:
		first = w.dayNum(a) + " " + w.months[a.Month()-1]
	}
	if fr {
		return fmt.Sprintf("du %s au %s", first, w.day(b))
	}
	return fmt.Sprintf("between %s and %s", first, w.day(b))
}

// Months writes the months from a to b as a sentence says them: "in
// March 2022", "from March to December 2022", "d’avril à juin 2022".
func Months(lang string, a, b time.Time) string {
	w := wordsOf(lang)
	a, b = a.UTC(), b.UTC()
	from, to := w.months[a.Month()-1], w.months[b.Month()-1]
	if a.Year() != b.Year() {
		from += fmt.Sprintf(" %d", a.Year())
	}
	one := a.Year() == b.Year() && a.Month() == b.Month()
	if lang != "fr" {
		if one {
			return fmt.Sprintf("in %s %d", to, b.Year())
		}
		return fmt.Sprintf("from %s to %s %d", from, to, b.Year())
	}
	if one {
		return fmt.Sprintf("en %s %d", to, b.Year())
	}
	de := "de "
	if strings.ContainsRune("aeiou", rune(from[0])) {
		de = "d’"
	}
	return fmt.Sprintf("%s%s à %s %d", de, from, to, b.Year())
}

// EventName names an ACLED event type in lang ("Battles", "Combats"); an
// unknown type is written with spaces for its underscores.
func EventName(lang, eventType string) string { return wordsOf(lang).event(eventType) }

// Count writes n with the thousands separator of lang: "12,500", "12 500".
func Count(lang string, n int) string {
	i := 0
	if lang == "fr" {
		i = 1
	}
	return group(n, texts.thousands[i])
}
