package server

import (
	"errors"
	"net/url"
	"testing"

	"incidentmap/geo"
)

// Every query string either parses into a filter or is refused with an
// EInvalid error naming a parameter; nothing panics.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"datetime=2022-03-27&bbox=-5,14,-4,15", "event_type=battles,riots&country=ml",
		"min_fatalities=-1", "q=%27%3B%20DROP%20TABLE%20incidents", "actor=%FF", "as_of=2023-01-01T00:00:00Z",
		"admin1=" + string(make([]byte, 300))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if err := checkParams(q, incidentItemsParams); err != nil {
			mustBeInvalid(t, raw, err)
			return
		}
		if _, err := parseFilter(q); err != nil {
			mustBeInvalid(t, raw, err)
		}
		if _, err := parsePage(q, geo.DefaultLimit, geo.MaxLimit); err != nil {
			mustBeInvalid(t, raw, err)
		}
	})
}

// Tile paths parse or are refused as 400 (not a number) or 404 (no such
// zoom), never anything else.
func FuzzParseTile(f *testing.F) {
	f.Add("3", "4", "3.mvt")
	f.Add("20", "1048575", "1048575.mvt")
	f.Add("-1", "0", "0.mvt")
	f.Add("3", "1", "1.png")
	f.Fuzz(func(t *testing.T, z, x, y string) {
		if _, err := parseTile(z, x, y); err != nil {
			var e *geo.Error
			if !errors.As(err, &e) || (e.Code != geo.EInvalid && e.Code != geo.ENotFound) {
				t.Fatalf("%q/%q/%q: %#v", z, x, y, err)
			}
		}
	})
}

func mustBeInvalid(t *testing.T, input string, err error) {
	t.Helper()
	var e *geo.Error
	if !errors.As(err, &e) || e.Code != geo.EInvalid || e.Param == "" {
		t.Fatalf("%q: %#v", input, err)
	}
}
