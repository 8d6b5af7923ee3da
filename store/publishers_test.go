package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"incidentmap/geo"
	"incidentmap/store/storetest"
)

func TestPublishers(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	withSources := func(in geo.Incident, publishers ...string) geo.Incident {
		in.Sources, in.Claims = nil, nil
		for _, p := range publishers {
			in.Sources = append(in.Sources, geo.Source{URL: "https://example.org/" + in.ID + "/" + p, Publisher: p})
		}
		return in
	}
	draft := withSources(testIncident("draft", -4.09, 14.52, "2022-03-28", "2022-03-28"), "Secret")
	draft.Status = "draft"
	err := st.Upsert(ctx, nil, []geo.Incident{
		withSources(testIncident("moura", -4.60, 14.33, "2022-03-27", "2022-03-31"), "RFI", "HRW", "HRW", " "),
		withSources(testIncident("sevare", -4.09, 14.52, "2022-03-29", "2022-03-29"), "RFI", "AFP"),
		withSources(testIncident("gao", -0.04, 16.27, "2022-05-01", "2022-05-01"), "Reuters"),
		draft,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	march, err := geo.ParseInterval("datetime", "2022-03-27/2022-03-31")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		f         geo.Filter
		limit     int
		want      []string
		wantTotal int
	}{
		{"most cited first, published only", geo.Filter{Time: march}, 10, []string{"RFI", "HRW", "AFP"}, 3},
		{"limit keeps the total", geo.Filter{Time: march}, 1, []string{"RFI"}, 3},
		{"within a bbox", geo.Filter{BBox: &geo.BBox{MinLon: -1, MinLat: 16, MaxLon: 1, MaxLat: 17}}, 10, []string{"Reuters"}, 1},
		{"none", geo.Filter{Countries: []string{"NE"}}, 10, nil, 0},
		{"as of now", geo.Filter{Time: march, AsOf: ptrTime(time.Now().Add(time.Minute))}, 10, []string{"RFI", "HRW", "AFP"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := st.Publishers(ctx, tc.f, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) || total != tc.wantTotal {
				t.Errorf("got %q (%d in all), want %q (%d)", got, total, tc.want, tc.wantTotal)
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
