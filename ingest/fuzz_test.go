package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"incidentmap/geo"
)

// Readers and the feature decoder take hostile input: they must never
// panic, and must refuse with an error that names where (a *LineError, or
// an EInvalid *geo.Error naming the member).

// readAll drains a reader of an import format; errors must be line errors.
func readAll(t *testing.T, format string, data []byte) {
	r, err := newReader(context.Background(), format, bytes.NewReader(data), nil)
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

func FuzzDecodeFeature(f *testing.F) {
	raw, err := os.ReadFile("testdata/synthetic-feature.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`{"type":"Feature","geometry":null,"properties":{"location":"x","colour":"red"}}`))
	f.Add([]byte(`{"type":"Feature","id":7,"properties":{"claims":[{"claimed_on":"2022-02-30"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeFeature(context.Background(), data, Options{IDOptional: true})
		if err != nil {
			var e *geo.Error
			if !errors.As(err, &e) || e.Code != geo.EInvalid || e.Param == "" {
				t.Fatalf("%q: error %#v", data, err)
			}
			return
		}
		_ = in.Validate()
	})
}
