package geo

import (
	"errors"
	"testing"
	"time"
)

// Parsers of user input must never panic, and must refuse with an
// EInvalid *Error naming the parameter.

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"2022-03-27", "2022-03-27T05:00:00Z", "2022-03-01/2022-04-30", "../2022-04-30",
		"2022-03-01/..", "../..", "2022-03-27T05:00:00.123456789+01:00", "", "/", "2022-02-30", "9999-12-31/0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ParseInterval("datetime", s)
		if err != nil {
			mustNameParam(t, s, err, "datetime")
			return
		}
		if iv.Start != nil && iv.End != nil && !iv.Start.Before(*iv.End) {
			t.Fatalf("%q: empty window %v", s, iv)
		}
		_ = iv.LastInstant(time.Now())
	})
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"-5,14,-4,15", "170,-10,-170,10", "-5,14,0,-4,15,100", "1,2,3", "NaN,1,2,3", "1e400,0,0,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBBox("bbox", s)
		if err != nil {
			mustNameParam(t, s, err, "bbox")
			return
		}
		if b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 {
			t.Fatalf("%q: accepted %v", s, b)
		}
	})
}

// mustNameParam fails unless err is an EInvalid *Error naming param.
func mustNameParam(t *testing.T, input string, err error, param string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EInvalid || e.Param != param {
		t.Fatalf("%q: error %#v", input, err)
	}
}
