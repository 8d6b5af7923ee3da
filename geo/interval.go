package geo

import (
	"math"
	"strings"
	"time"
)

// Interval is a half-open time window [Start, End). A nil bound is open.
// An instant t is the window [t, t+1µs), the resolution of PostgreSQL
// timestamps, so that it overlaps exactly the incidents that contain t.
type Interval struct {
	Start *time.Time
	End   *time.Time
}

const resolution = time.Microsecond

// ParseInterval parses an OGC API datetime: an RFC 3339 instant or date, or an
// interval "start/end" whose either side may be ".." or empty (open). A date
// alone means that whole UTC day, so "2022-03-01/2022-03-31" ends at the end of
// 31 March. It fails with an EInvalid *Error naming param.
func ParseInterval(param, s string) (Interval, error) {
	if len(s) > 100 {
		return Interval{}, Invalid(param, "is too long")
	}
	start, end, isRange := strings.Cut(s, "/")
	if !isRange {
		from, to, err := parseBound(param, s)
		if err != nil {
			return Interval{}, err
		}
		if from == nil {
			return Interval{}, Invalid(param, "%q is not an RFC 3339 date or date-time", s)
		}
		return Interval{Start: from, End: to}, nil
	}
	if strings.Contains(end, "/") {
		return Interval{}, Invalid(param, "%q has more than one '/'", s)
	}
	var iv Interval
	var err error
	if iv.Start, _, err = parseBound(param, start); err != nil {
		return Interval{}, err
	}
	if _, iv.End, err = parseBound(param, end); err != nil {
		return Interval{}, err
	}
	if iv.Start != nil && iv.End != nil && !iv.Start.Before(*iv.End) {
		return Interval{}, Invalid(param, "%q ends before it starts", s)
	}
	return iv, nil
}

// parseBound parses one side of an interval and returns the window it covers:
// a whole UTC day for a date, one microsecond for a date-time, nils for "..".
func parseBound(param, s string) (from, to *time.Time, err error) {
	if s == "" || s == ".." {
		return nil, nil, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		end := t.AddDate(0, 0, 1)
		return &t, &end, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return nil, nil, Invalid(param, "%q is not an RFC 3339 date or date-time (e.g. 2022-03-27 or 2022-03-27T05:00:00Z)", s)
	}
	t = t.UTC().Truncate(resolution)
	end := t.Add(resolution)
	return &t, &end, nil
}

// IsZero reports whether the interval is unbounded on both sides.
func (iv Interval) IsZero() bool { return iv.Start == nil && iv.End == nil }

// Overlaps reports whether the closed incident interval [start, end]
// overlaps iv, by Window's rule.
func (iv Interval) Overlaps(start, end time.Time) bool {
	return iv.Window().Overlaps(start.UnixMicro(), end.UnixMicro())
}

// Window is an Interval in unix microseconds, the resolution of PostgreSQL
// timestamps: the form in which the tile index compares many incidents with
// one interval. An open start is math.MinInt64, an open end math.MaxInt64,
// beyond any timestamp.
type Window struct{ Start, End int64 }

// Window returns iv in unix microseconds (a bound finer than that is
// rounded down, which ParseInterval never leaves).
func (iv Interval) Window() Window {
	w := Window{Start: math.MinInt64, End: math.MaxInt64}
	if iv.Start != nil {
		w.Start = iv.Start.UnixMicro()
	}
	if iv.End != nil {
		w.End = iv.End.UnixMicro()
	}
	return w
}

// Overlaps is the interval-overlap rule: the closed incident interval
// [start, end], in unix microseconds, overlaps the half-open window
// [w.Start, w.End) when the incident starts before the window ends and ends
// no earlier than the window starts. An incident that ends where the window
// starts overlaps it; one that starts where the window ends does not.
// store's SQL (store/where.go, window) is this rule over timestamps.
func (w Window) Overlaps(start, end int64) bool { return start < w.End && end >= w.Start }

// LastInstant is the last instant inside the window, or now when it is open
// at the end: the moment at which a base's holder is reported.
func (iv Interval) LastInstant(now time.Time) time.Time {
	if iv.End == nil {
		return now
	}
	return iv.End.Add(-resolution)
}

// String formats the interval back as an OGC datetime value.
func (iv Interval) String() string {
	bound := func(t *time.Time) string {
		if t == nil {
			return ".."
		}
		return t.Format(time.RFC3339Nano)
	}
	return bound(iv.Start) + "/" + bound(iv.End)
}
