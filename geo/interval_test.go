package geo

import (
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseIntervalWindows(t *testing.T) {
	tests := []struct {
		in         string
		start, end string // "" for open
	}{
		{"2022-03-27", "2022-03-27T00:00:00Z", "2022-03-28T00:00:00Z"},
		{"2022-03-27T05:00:00Z", "2022-03-27T05:00:00Z", "2022-03-27T05:00:00.000001Z"},
		{"2022-03-27T06:00:00+01:00", "2022-03-27T05:00:00Z", "2022-03-27T05:00:00.000001Z"},
		{"2022-03-01/2022-04-30", "2022-03-01T00:00:00Z", "2022-05-01T00:00:00Z"},
		{"../2022-04-30", "", "2022-05-01T00:00:00Z"},
		{"2022-03-01/..", "2022-03-01T00:00:00Z", ""},
		{"2022-03-01/", "2022-03-01T00:00:00Z", ""},
		{"../..", "", ""},
		{"2022-03-01T00:00:00Z/2022-03-02T00:00:00Z", "2022-03-01T00:00:00Z", "2022-03-02T00:00:00.000001Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			iv, err := ParseInterval("datetime", tt.in)
			if err != nil {
				t.Fatal(err)
			}
			check := func(name string, got *time.Time, want string) {
				if want == "" {
					if got != nil {
						t.Errorf("%s = %v, want open", name, got)
					}
					return
				}
				if got == nil || !got.Equal(mustTime(want)) {
					t.Errorf("%s = %v, want %s", name, got, want)
				}
			}
			check("start", iv.Start, tt.start)
			check("end", iv.End, tt.end)
		})
	}
}

func TestParseIntervalRefusesMalformedValues(t *testing.T) {
	for _, in := range []string{"", "yesterday", "2022-13-01", "2022-02-30", "2022-03-27T25:00:00Z",
		"2022-03-27T05:00:00", "2022-04-30/2022-03-01", "2022/2023/2024", "1' OR '1'='1", "..", "2022-03-27 05:00"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseInterval("datetime", in)
			var e *Error
			if err == nil {
				t.Fatal("accepted")
			}
			if !errorAs(err, &e) || e.Code != EInvalid || e.Param != "datetime" {
				t.Fatalf("err = %#v, want EInvalid naming datetime", err)
			}
		})
	}
}
