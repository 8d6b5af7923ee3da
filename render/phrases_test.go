package render

import (
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

func TestPhrasesOfDays(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Between("en", *day("2022-03-27"), *day("2022-03-31")), "between 27 and 31 March 2022"},
		{Between("fr", *day("2022-03-27"), *day("2022-04-01")), "du 27 mars au 1er avril 2022"},
		{Between("en", *day("2022-04-24"), *day("2022-04-24")), "on 24 April 2022"},
		{Between("fr", *day("2021-12-30"), *day("2022-01-02")), "du 30 décembre 2021 au 2 janvier 2022"},
		{Months("en", *day("2022-03-08"), *day("2022-12-31")), "from March to December 2022"},
		{Months("fr", *day("2022-04-08"), *day("2022-06-30")), "d’avril à juin 2022"},
		{Months("fr", *day("2022-03-08"), *day("2022-03-31")), "en mars 2022"},
		{Window("fr", window("2022-03-27", "2022-03-31")), "27-31 mars 2022"},
		{EventName("fr", "battles"), "Combats"},
		{Count("en", 12500), "12,500"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestSetCaption: the caption written from the data heads the map in place
// of the place nearest the centre, and its places are labelled first.
func TestSetCaption(t *testing.T) {
	r := testRenderer(t)
	m, err := r.NewMap(Request{Width: 800, Height: 500, BBox: &geo.BBox{MinLon: -5.2, MinLat: 13.8, MaxLon: -3.8, MaxLat: 14.8},
		Filter: geo.Filter{Time: window("2022-03-27", "2022-03-31")}})
	if err != nil {
		t.Fatal(err)
	}
	m.AddPlace(geo.Place{ID: "kouakourou", Name: "Kouakourou", Kind: "village", Point: orb.Point{-4.491, 14.221}})
	m.AddPlace(geo.Place{ID: "moura", Name: "Moura", Kind: "village", Point: orb.Point{-4.5997, 14.3261}})
	if got := m.Headline(); got != "Incidents near Kouakourou, 27-31 March 2022" {
		t.Errorf("before: %q", got)
	}
	m.SetCaption("Incidents in Moura, 27-31 March 2022", []string{"Moura"})
	if got := m.Headline(); got != "Incidents in Moura, 27-31 March 2022" {
		t.Errorf("after: %q", got)
	}
	if first := m.sortedPlaces()[0].name; first != "Moura" {
		t.Errorf("the first label is %s", first)
	}
}
