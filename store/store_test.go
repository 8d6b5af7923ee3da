package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/store/storetest"
)

func intp(n int) *int { return &n }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testIncident(id string, lon, lat float64, from, to string) geo.Incident {
	return geo.Incident{
		ID: id, Title: "Incident " + id, Summary: "Résumé with accents: Sévaré", EventType: "battles",
		SubEventType: "armed_clash", Geometry: orb.Point{lon, lat}, Location: "Sévaré", Country: "ML",
		Admin1: "Mopti", GeoPrecision: "exact", StartsAt: day(from), EndsAt: day(to).Add(24*time.Hour - time.Second),
		DatePrecision: "day", Actors: []string{"Malian Armed Forces (FAMa)"}, Status: "published",
		Fatalities: geo.Fatalities{Best: intp(6)},
		Claims:     []geo.Claim{{Claimant: "FAMa", FatalitiesLow: intp(6), FatalitiesHigh: intp(6), Source: "https://example.org/a"}},
		Sources:    []geo.Source{{URL: "https://example.org/a", Publisher: "Example", Language: "fr"}},
	}
}

func TestIncidentsFilterByTimeSpaceAndText(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	draft := testIncident("draft-1", -4.09, 14.52, "2022-04-24", "2022-04-24")
	draft.Status = "draft"
	err := st.Upsert(ctx, nil, []geo.Incident{
		testIncident("sevare", -4.09, 14.52, "2022-04-24", "2022-04-24"),
		testIncident("moura", -4.60, 14.33, "2022-03-27", "2022-03-31"),
		draft,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	interval := func(s string) geo.Interval {
		iv, err := geo.ParseInterval("datetime", s)
		if err != nil {
			t.Fatal(err)
		}
		return iv
	}
	tests := []struct {
		name   string
		filter geo.Filter
		want   []string
	}{
		{"everything published, by start", geo.Filter{}, []string{"moura", "sevare"}},
		{"a day inside the interval", geo.Filter{Time: interval("2022-03-29")}, []string{"moura"}},
		{"the last day of the interval", geo.Filter{Time: interval("2022-03-31")}, []string{"moura"}},
		{"the day after", geo.Filter{Time: interval("2022-04-01")}, nil},
		{"open start", geo.Filter{Time: interval("../2022-03-27")}, []string{"moura"}},
		{"open end", geo.Filter{Time: interval("2022-04-01/..")}, []string{"sevare"}},
		{"an instant", geo.Filter{Time: interval("2022-04-24T05:00:00Z")}, []string{"sevare"}},
		{"bbox", geo.Filter{BBox: &geo.BBox{MinLon: -5, MinLat: 14, MaxLon: -4.5, MaxLat: 14.5}}, []string{"moura"}},
		{"text without accents", geo.Filter{Query: "SEVARE"}, []string{"moura", "sevare"}},
		{"actor substring", geo.Filter{Actors: []string{"fama"}}, []string{"moura", "sevare"}},
		{"like wildcards match themselves", geo.Filter{Query: "%"}, nil},
		{"min fatalities", geo.Filter{MinFatalities: intp(7)}, nil},
		{"country", geo.Filter{Countries: []string{"BF"}}, nil},
		{"admin1 folded", geo.Filter{Admin1: []string{"mopti"}}, []string{"moura", "sevare"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := st.Incidents(ctx, tt.filter, geo.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range list {
				got = append(got, in.ID)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
			n, err := st.CountIncidents(ctx, tt.filter, 1<<30)
			if err != nil || n != len(tt.want) {
				t.Fatalf("count = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
}

func TestIncidentRoundTripsClaimsAndSources(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	in := testIncident("sevare", -4.0947, 14.5246, "2022-04-24", "2022-04-24")
	if err := st.Upsert(ctx, nil, []geo.Incident{in}, "test"); err != nil {
		t.Fatal(err)
	}
	// A second upsert replaces; it never duplicates claims or sources.
	if err := st.Upsert(ctx, nil, []geo.Incident{in}, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Incident(ctx, "sevare")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Claims) != 1 || len(got.Sources) != 1 || got.Claims[0].Claimant != "FAMa" {
		t.Fatalf("claims %+v sources %+v", got.Claims, got.Sources)
	}
	if p, ok := got.Geometry.(orb.Point); !ok || p != (orb.Point{-4.0947, 14.5246}) {
		t.Fatalf("geometry %v", got.Geometry)
	}
	if _, err := st.Incident(ctx, "nope"); geo.ErrorCode(err) != geo.ENotFound {
		t.Fatalf("missing incident: %v", err)
	}
}

func TestEachIncidentStreamsPastOneFetch(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var many []geo.Incident
	for i := 0; i < 1234; i++ {
		many = append(many, testIncident(fmt.Sprintf("n-%04d", i), -4, 14, "2022-01-01", "2022-01-02"))
	}
	if err := st.Upsert(ctx, nil, many, "test"); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := st.EachIncident(ctx, geo.Filter{}, geo.Page{}, func(geo.Incident) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1234 {
		t.Fatalf("streamed %d, want 1234", n)
	}
	// Counting stops one past the cap: "more than 1000".
	if c, err := st.CountIncidents(ctx, geo.Filter{}, 1000); err != nil || c != 1001 {
		t.Fatalf("capped count = %d, %v; want 1001", c, err)
	}
}
