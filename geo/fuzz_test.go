package geo

import (
	"bytes"
	"errors"
	"io"
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
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid || e.Param != "datetime" {
				t.Fatalf("%q: error %#v", s, err)
			}
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
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid || e.Param != "bbox" {
				t.Fatalf("%q: error %#v", s, err)
			}
			return
		}
		if b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 {
			t.Fatalf("%q: accepted %v", s, b)
		}
	})
}

// readAll drains a reader of an import format; errors must be line errors.
func readAll(t *testing.T, format string, data []byte) {
	r, err := NewReader(format, bytes.NewReader(data))
	if err != nil {
		var le *LineError
		if !errors.As(err, &le) {
			t.Fatalf("open: %#v", err)
		}
		return
	}
	for i := 0; i < 10000; i++ {
		in, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("next: %#v", err)
			}
			return
		}
		_ = in.Validate()
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[-4,14]},"properties":{"title":"t","event_type":"battles"}}]}`))
	f.Add([]byte(`{"features":[{"id":"a","geometry":null,"properties":null}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[[[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, "geojson", data) })
}

func FuzzReadGeoJSONSeq(f *testing.F) {
	f.Add([]byte("\x1e{\"type\":\"Feature\",\"id\":\"a\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[-4,14]},\"properties\":{}}\n"))
	f.Add([]byte("{\"type\":\"Feature\"}\n\n{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, "geojsonseq", data) })
}

func FuzzReadACLED(f *testing.F) {
	header := "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,iso,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp\n"
	f.Add([]byte(header + "MLI1,2022-04-24,1,Battles,Armed clash,JNIM,466,Mali,Mopti,Sévaré,14.5,-4.09,1,AFP,\"a \"\"quoted\"\" note\",6,1651000000\n"))
	f.Add([]byte(header + "MLI2,24 April 2022,3,Riots,Mob violence,,999,Atlantis,,x,91,0,4,,,-1,\n"))
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, "acled", data) })
}

func FuzzReadUCDP(f *testing.F) {
	header := "id,type_of_violence,side_a,side_b,where_prec,where_coordinates,latitude,longitude,country,date_prec,date_start,date_end,best,high,low\n"
	f.Add([]byte(header + "1,3,Government of Mali,Civilians,1,Moura,14.3,-4.6,Mali,2,2022-03-27,2022-03-31 00:00:00.000,500,500,300\n"))
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, "ucdp", data) })
}
