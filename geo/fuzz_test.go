package geo

import (
	"errors"
	"testing"
	"time"
)

// Parsers of user input must never panic, and must refuse with an
// EInvalid *Error naming the parameter.

func FuzzParseInterval(f *testing.F) {
	fuzzParam(f, ParseInterval, "datetime", []string{"2022-03-27", "2022-03-27T05:00:00Z", "2022-03-01/2022-04-30",
		"../2022-04-30", "2022-03-01/..", "../..", "2022-03-27T05:00:00.123456789+01:00", "", "/", "2022-02-30",
		"9999-12-31/0001-01-01"},
		func(t *testing.T, s string, iv Interval) {
			if iv.Start != nil && iv.End != nil && !iv.Start.Before(*iv.End) {
				t.Fatalf("%q: empty window %v", s, iv)
			}
			_ = iv.LastInstant(time.Now())
		})
}

func FuzzParseBBox(f *testing.F) {
	fuzzParam(f, ParseBBox, "bbox", []string{"-5,14,-4,15", "170,-10,-170,10", "-5,14,0,-4,15,100", "1,2,3",
		"NaN,1,2,3", "1e400,0,0,0"},
		func(t *testing.T, s string, b BBox) {
			if b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 {
				t.Fatalf("%q: accepted %v", s, b)
			}
		})
}

// fuzzParam fuzzes parse, a parser of the parameter param, from seeds: it
// must refuse with an EInvalid *Error naming param, or accept a value that
// check finds sound.
func fuzzParam[T any](f *testing.F, parse func(param, s string) (T, error), param string, seeds []string,
	check func(t *testing.T, s string, v T)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parse(param, s)
		if err == nil {
			check(t, s, v)
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != EInvalid || e.Param != param {
			t.Fatalf("%q: error %#v", s, err)
		}
	})
}
