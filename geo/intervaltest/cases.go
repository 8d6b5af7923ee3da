// Package intervaltest is the table of the interval-overlap rule
// (geo.Window.Overlaps): an incident's closed interval, a datetime
// parameter as a client writes it, and whether the two overlap. geo's test
// holds the rule to it; store's test holds the SQL form of the rule to it
// on a real PostGIS.
package intervaltest

import "time"

// Incident is the closed time interval [Start, End] of an incident.
type Incident struct {
	ID         string
	Start, End time.Time
}

// Case is one datetime parameter against one incident.
type Case struct {
	Name     string
	Incident Incident
	Datetime string // as geo.ParseInterval reads it
	Overlaps bool
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The incidents of the table: days ending on their last second (as imports
// and synth write them), an instant (equal bounds), a month ending on its
// last microsecond, and days before 1970 (negative unix times).
var (
	Days    = Incident{"days", at("2022-03-27T00:00:00Z"), at("2022-03-31T23:59:59Z")}
	Instant = Incident{"instant", at("2022-03-27T05:00:00Z"), at("2022-03-27T05:00:00Z")}
	Month   = Incident{"month", at("2022-03-01T00:00:00Z"), at("2022-03-31T23:59:59.999999Z")}
	Old     = Incident{"old", at("1969-12-30T00:00:00Z"), at("1969-12-31T23:59:59Z")}

	Incidents = []Incident{Days, Instant, Month, Old}
)

// Cases are the cases of the rule, named after what they pin.
var Cases = []Case{
	{"a date inside", Days, "2022-03-29", true},
	{"a date on the last day", Days, "2022-03-31", true},
	{"the date after the end", Days, "2022-04-01", false},
	{"the date before the start: the window ends where the incident starts", Days, "2022-03-26", false},
	{"an instant at the start: equal bounds", Days, "2022-03-27T00:00:00Z", true},
	{"an instant at the last second: the end is closed", Days, "2022-03-31T23:59:59Z", true},
	{"the microsecond after the end", Days, "2022-03-31T23:59:59.000001Z", false},
	{"the microsecond before the start", Days, "2022-03-26T23:59:59.999999Z", false},
	{"an instant in another zone", Days, "2022-03-28T01:00:00+01:00", true},
	{"an instant in another zone, the day before in UTC", Days, "2022-03-27T00:30:00+01:00", false},
	{"a window inside", Days, "2022-03-28/2022-03-29", true},
	{"a window around", Days, "2022-03-01/2022-04-30", true},
	{"a window of later months", Days, "2022-05-01/2022-05-31", false},
	{"open start, ending on the first day", Days, "../2022-03-27", true},
	{"open start, ending the day before", Days, "../2022-03-26", false},
	{"open end, starting on the last day", Days, "2022-03-31/..", true},
	{"open end, starting the day after", Days, "2022-04-01/..", false},
	{"open both sides", Days, "../..", true},
	{"an empty side is open", Days, "2022-03-01/", true},
	{"touching: a window whose end date-time is the start (inclusive)", Days, "2022-03-20T00:00:00Z/2022-03-27T00:00:00Z", true},
	{"a window ending the microsecond before the start", Days, "2022-03-20T00:00:00Z/2022-03-26T23:59:59.999999Z", false},
	{"touching: a window starting at the end", Days, "2022-03-31T23:59:59Z/2022-04-02", true},
	{"a window starting the microsecond after the end", Days, "2022-03-31T23:59:59.000001Z/2022-04-02", false},

	{"instant: the same instant", Instant, "2022-03-27T05:00:00Z", true},
	{"instant: its date", Instant, "2022-03-27", true},
	{"instant: the microsecond after", Instant, "2022-03-27T05:00:00.000001Z", false},
	{"instant: the microsecond before", Instant, "2022-03-27T04:59:59.999999Z", false},
	{"instant: a window ending at it", Instant, "../2022-03-27T05:00:00Z", true},
	{"instant: a window starting at it", Instant, "2022-03-27T05:00:00Z/..", true},
	{"instant: a window starting the microsecond after", Instant, "2022-03-27T05:00:00.000001Z/..", false},
	{"instant: the date before", Instant, "2022-03-26", false},

	{"month: its first date", Month, "2022-03-01", true},
	{"month: its last microsecond", Month, "2022-03-31T23:59:59.999999Z", true},
	{"month: the date after", Month, "2022-04-01", false},
	{"month: open start, ending on its first date", Month, "../2022-03-01", true},
	{"month: the months before", Month, "2022-01-01/2022-02-28", false},

	{"before 1970: a date inside", Old, "1969-12-31", true},
	{"before 1970: the date after", Old, "1970-01-01", false},
	{"before 1970: open start, ending the date before", Old, "../1969-12-29", false},
	{"before 1970: an instant at the start", Old, "1969-12-30T00:00:00Z", true},
}
