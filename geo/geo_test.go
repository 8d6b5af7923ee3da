package geo

import (
	"errors"
	"testing"
	"time"
)

func errorAs(err error, target **Error) bool { return errors.As(err, target) }

func TestParseBBox(t *testing.T) {
	b, err := ParseBBox("bbox", "-5,14,-4,15")
	if err != nil || b != (BBox{-5, 14, -4, 15}) {
		t.Fatalf("got %v, %v", b, err)
	}
	if b, err := ParseBBox("bbox", "-5,14,0,-4,15,100"); err != nil || b != (BBox{-5, 14, -4, 15}) {
		t.Fatalf("six numbers: got %v, %v", b, err)
	}
	if got := (BBox{170, -10, -170, 10}).Bounds(); len(got) != 2 {
		t.Fatalf("antimeridian box gives %d bounds, want 2", len(got))
	}
	for _, in := range []string{"", "1,2,3", "a,b,c,d", "-5,14,-4,NaN", "-181,0,0,1", "0,91,1,92", "0,10,1,5", "1,2,3,4,5"} {
		_, err := ParseBBox("bbox", in)
		var e *Error
		if !errorAs(err, &e) || e.Param != "bbox" {
			t.Errorf("%q: err = %v, want EInvalid naming bbox", in, err)
		}
	}
}

func TestHolderAtHandover(t *testing.T) {
	d := func(s string) *Date { v, _ := ParseDate(s); return &v }
	gossi := Place{Control: []ControlPeriod{
		{Holder: "France", From: d("2019-04-01"), To: d("2022-04-19")},
		{Holder: "Mali", From: d("2022-04-19")},
	}}
	tests := map[string]string{
		"2022-04-18T23:59:59Z": "France",
		"2022-04-19T00:00:00Z": "Mali",
		"2022-04-20T12:00:00Z": "Mali",
		"2019-01-01T00:00:00Z": "",
	}
	for at, want := range tests {
		if got := gossi.HolderAt(mustTime(at)); got != want {
			t.Errorf("holder at %s = %q, want %q", at, got, want)
		}
	}
	// The holder of a window is the holder at its last instant.
	iv, _ := ParseInterval("datetime", "2022-04-01/2022-04-18")
	if got := gossi.HolderAt(iv.LastInstant(time.Now())); got != "France" {
		t.Errorf("window ending 2022-04-18: %q, want France", got)
	}
	iv, _ = ParseInterval("datetime", "2022-04-01/2022-04-20")
	if got := gossi.HolderAt(iv.LastInstant(time.Now())); got != "Mali" {
		t.Errorf("window ending 2022-04-20: %q, want Mali", got)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	in := Incident{ID: "bad id!", EventType: "picnic", Country: "Mali", GeoPrecision: "somewhere",
		DatePrecision: "day", Status: "published"}
	ps := in.Validate()
	fields := map[string]bool{}
	for _, p := range ps {
		fields[p.Field] = true
	}
	for _, want := range []string{"id", "title", "event_type", "geometry", "country", "geo_precision", "starts_at", "sources"} {
		if !fields[want] {
			t.Errorf("no problem reported for %s (got %v)", want, ps)
		}
	}
}
