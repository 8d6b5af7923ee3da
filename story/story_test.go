package story_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"incidentmap/geo"
	"incidentmap/internal/testenv/testapp"
	"incidentmap/store"
	"incidentmap/story"
)

// seedReader reads the seed from PostGIS, as the server does without its
// tile index.
type seedReader struct{ *store.Store }

func (r seedReader) Significant(ctx context.Context, f geo.Filter, n int) ([]geo.Incident, int, bool, error) {
	total, err := r.CountIncidents(ctx, f, 1000)
	if err != nil {
		return nil, 0, false, err
	}
	list, err := r.Incidents(ctx, f, geo.Page{Limit: n, Sort: story.Significance})
	return list, total, false, err
}

func openSeed(t *testing.T) seedReader {
	t.Helper()
	st, err := store.Open(context.Background(), testapp.Seeded(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return seedReader{st}
}

func day(s string) *time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return &d
}

// view is the filter of a viewer URL's bbox and datetime (whole days).
func view(bbox [4]float64, from, to string) geo.Filter {
	return geo.Filter{
		BBox: &geo.BBox{MinLon: bbox[0], MinLat: bbox[1], MaxLon: bbox[2], MaxLat: bbox[3]},
		Time: geo.Interval{Start: day(from), End: ptr(day(to).AddDate(0, 0, 1))},
	}
}

func ptr[T any](v T) *T { return &v }

func load(t *testing.T, r seedReader, lang string, f geo.Filter, highlight string) story.View {
	t.Helper()
	v, err := story.Load(context.Background(), r, lang, f, highlight)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// update rewrites the golden texts of testdata (go test ./story -update),
// to be read before they are committed.
var update = flag.Bool("update", false, "rewrite the golden texts of testdata")

// TestCaptionAndDescriptionOfTheSeed tells views of the seed in English and
// French and compares each with testdata/VIEW.LANG.txt, written as
// /map.txt writes it: the caption, a blank line, the description.
func TestCaptionAndDescriptionOfTheSeed(t *testing.T) {
	r := openSeed(t)
	for _, tc := range []struct {
		name      string // of the golden texts, and what they show
		f         geo.Filter
		highlight string
	}{
		// Moura: one incident, its own place; the claims differ.
		{"moura", view([4]float64{-5.2, 13.8, -3.8, 14.8}, "2022-03-27", "2022-03-31"), ""},
		// The army camps of 24 April 2022: the type they share, deaths then
		// towns before villages, places known to be near a town.
		{"camps", view([4]float64{-6.6, 13.2, -3.6, 14.9}, "2022-04-24", "2022-04-24"), ""},
		// A date known to the week, a place near a town.
		{"hombori-week", view([4]float64{-2.2, 14.8, -1.2, 15.6}, "2022-04-24", "2022-04-24"), ""},
		// A place known to the province.
		{"soum-province", view([4]float64{-2.2, 13.6, -1.2, 14.5}, "2022-04-24", "2022-04-24"), ""},
		// The highlighted incident's place names the view, and it is told first.
		{"april-highlight", view([4]float64{-7, 13, 0, 16.5}, "2022-04-01", "2022-04-30"), "hombori-camp-detainees-2022-04-24"},
		{"no-incident", view([4]float64{-2.2, 13.6, -1.2, 14.5}, "2021-04-24", "2021-04-24"), ""},
		// Every incident: the most significant few, a few claims each, how many more.
		{"all", geo.Filter{}, ""},
	} {
		for _, lang := range []string{"en", "fr"} {
			t.Run(tc.name+"."+lang, func(t *testing.T) {
				v := load(t, r, lang, tc.f, tc.highlight)
				got := story.Caption(v) + "\n\n" + story.Describe(v) + "\n"
				golden := filepath.Join("testdata", tc.name+"."+lang+".txt")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if got != string(want) {
					t.Errorf("%s\n got %s\nwant %s", golden, got, want)
				}
			})
		}
	}
}

// TestDescriptionIsBounded tells every incident of the seed: the most
// significant few in full, a few claims each, then how many more.
func TestDescriptionIsBounded(t *testing.T) {
	r := openSeed(t)
	for _, lang := range []string{"en", "fr"} {
		v := load(t, r, lang, geo.Filter{}, "")
		if n := utf8.RuneCountInString(story.Describe(v)); n > 2500 {
			t.Errorf("%s: %d characters", lang, n)
		}
		v.Incidents = slices.Repeat(v.Incidents, 100) // more than a story reads
		v.Total = len(v.Incidents)
		if n := utf8.RuneCountInString(story.Describe(v)); n > 2500 {
			t.Errorf("%s, %d incidents: %d characters", lang, v.Total, n)
		}
	}
}

// TestCountsThatStopped says "more than" when the view's count stopped.
func TestCountsThatStopped(t *testing.T) {
	best := 3
	in := geo.Incident{ID: "a", Title: "A", Location: "Gao", GeoPrecision: "exact", EventType: "battles",
		StartsAt: *day("2022-01-02"), EndsAt: *day("2022-01-02"), Fatalities: geo.Fatalities{Best: &best}}
	v := story.View{Lang: "en", Incidents: []geo.Incident{in}, Total: 10000, More: true}
	if got := story.Caption(v); got != "Incidents in Gao and elsewhere, all dates" {
		t.Errorf("caption %s", got)
	}
	want := "More than 10,000 incidents in Gao and elsewhere, all dates. A: 3 people were killed in Gao, on 2 January 2022 " +
		"(best estimate). More than 9,999 more incidents are not described here."
	if got := story.Describe(v); got != want {
		t.Errorf("description\n got %s\nwant %s", got, want)
	}
}
