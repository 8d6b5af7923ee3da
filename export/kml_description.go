package export

import (
	"cmp"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"incidentmap/geo"
)

// kmlDescription is the HTML of an incident's description balloon: its
// dates, place, fatalities and summary, then every claim (claimant, date,
// fatalities low–high, statement, source) and every source (publisher,
// title, url, date). Every stored string is HTML-escaped here; the XML
// encoder then escapes the whole, so that no text can close the element or
// add markup. Links are made only of http and https URLs.
func kmlDescription(in *geo.Incident) string {
	var b strings.Builder
	field := func(label, value string) {
		b.WriteString("<p><b>" + label + ":</b> " + html.EscapeString(value) + "</p>")
	}
	field("Date", dateRange(in.StartsAt, in.EndsAt)+" ("+in.DatePrecision+")")
	field("Location", joinNonEmpty(", ", in.Location, in.Admin2, in.Admin1, in.Country))
	field("Fatalities", fatalityRange(in.Fatalities.Low, in.Fatalities.High)+", best estimate "+orUnknown(in.Fatalities.Best))
	if in.Summary != "" {
		b.WriteString("<p>" + html.EscapeString(in.Summary) + "</p>")
	}
	b.WriteString("<h4>Claims</h4><ul>")
	for _, c := range in.Claims {
		b.WriteString("<li><b>" + html.EscapeString(c.Claimant) + "</b>")
		if c.ClaimedOn != nil {
			b.WriteString(", " + c.ClaimedOn.String())
		}
		b.WriteString(": fatalities " + fatalityRange(c.FatalitiesLow, c.FatalitiesHigh) + ". ")
		b.WriteString(html.EscapeString(c.Statement) + " Source: " + link(c.Source, c.Source) + "</li>")
	}
	b.WriteString("</ul><h4>Sources</h4><ul>")
	for _, s := range in.Sources {
		b.WriteString("<li>" + html.EscapeString(s.Publisher))
		if s.Title != "" || s.URL != "" {
			b.WriteString(": " + link(s.URL, cmp.Or(s.Title, s.URL)))
		}
		if s.URL != "" && s.Title != "" {
			b.WriteString(" (" + html.EscapeString(s.URL) + ")")
		}
		if s.PublishedOn != nil {
			b.WriteString(", " + s.PublishedOn.String())
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>")
	return b.String()
}

// link is text as an HTML link to href when href is an http or https URL,
// else text alone; both are escaped.
func link(href, text string) string {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return html.EscapeString(text)
	}
	return `<a href="` + html.EscapeString(href) + `">` + html.EscapeString(text) + "</a>"
}

// dateRange is "2022-03-27 – 2022-03-31", or one day when both are the same.
func dateRange(start, end time.Time) string {
	s, e := start.UTC().Format(time.DateOnly), end.UTC().Format(time.DateOnly)
	if s == e {
		return s
	}
	return s + " – " + e
}

// fatalityRange is "low–high", "n" when both are the same, with "unknown"
// for a figure nobody gave.
func fatalityRange(low, high *int) string {
	l, h := orUnknown(low), orUnknown(high)
	if l == h {
		return l
	}
	return l + "–" + h
}

func orUnknown(n *int) string {
	if n == nil {
		return "unknown"
	}
	return strconv.Itoa(*n)
}

// joinNonEmpty joins the values that are not empty.
func joinNonEmpty(sep string, values ...string) string {
	var kept []string
	for _, v := range values {
		if v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, sep)
}
