package story_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

// The views of the seed that the tests tell.
var (
	mouraView   = view([4]float64{-5.2, 13.8, -3.8, 14.8}, "2022-03-27", "2022-03-31")
	campsView   = view([4]float64{-6.6, 13.2, -3.6, 14.9}, "2022-04-24", "2022-04-24")
	homboriView = view([4]float64{-2.2, 14.8, -1.2, 15.6}, "2022-04-24", "2022-04-24")
	soumView    = view([4]float64{-2.2, 13.6, -1.2, 14.5}, "2022-04-24", "2022-04-24")
)

func TestCaptionAndDescriptionOfTheSeed(t *testing.T) {
	r := openSeed(t)
	for _, tc := range []struct {
		name, lang string
		f          geo.Filter
		highlight  string
		caption    string
		story      string
	}{
		{"Moura: one incident, its place; the claims differ", "en", mouraView, "",
			"Incidents in Moura, 27-31 March 2022",
			"Killings in Moura: at least 500 people were killed in Moura, Mopti region, between 27 and 31 March 2022, " +
				"according to OHCHR (12 May 2023). Other claims: Human Rights Watch, 300 (5 April 2022); " +
				"Malian Armed Forces (FAMa/EMGA), 203 (1 April 2022); Malian government, none (13 May 2023). The claims differ."},
		{"Moura in French", "fr", mouraView, "",
			"Incidents à Moura, 27-31 mars 2022",
			"« Killings in Moura » : au moins 500 personnes ont été tuées à Moura, région de Mopti, du 27 au 31 mars 2022, " +
				"selon OHCHR (12 mai 2023). Autres bilans : Human Rights Watch, 300 (5 avril 2022) ; " +
				"Malian Armed Forces (FAMa/EMGA), 203 (1er avril 2022) ; Malian government, aucun mort (13 mai 2023). Les bilans diffèrent."},
		{"the camps of 24 April: their shared type, deaths then towns before villages, places near", "en", campsView, "",
			"Attacks near Sévaré, Niono and Bapho, 24 April 2022",
			"3 incidents near Sévaré, Niono and Bapho, 24 April 2022; 17 people killed by the best estimates. " +
				"Attack on the army camp at Sévaré: 17 people were killed near Sévaré (within about 5 km), Mopti region, on 24 April 2022, " +
				"according to Malian Armed Forces (FAMa/EMGA) (24 April 2022). Other claims: Katiba Macina (JNIM), no figure. " +
				"Attack on the army camp at Niono: no one was killed near Niono (within about 5 km), Ségou region, on 24 April 2022, " +
				"according to Malian Armed Forces (FAMa/EMGA) (24 April 2022). Other claims: Katiba Macina (JNIM), no figure. " +
				"Attack on the army camp at Bapho: no one was killed near Bapho (within about 5 km), Ségou region, on 24 April 2022, " +
				"according to Malian Armed Forces (FAMa/EMGA) (24 April 2022). Other claims: Katiba Macina (JNIM), no figure."},
		{"the camps in French", "fr", campsView, "",
			"Attaques près de Sévaré, Niono et Bapho, 24 avril 2022",
			"3 incidents près de Sévaré, Niono et Bapho, 24 avril 2022 ; 17 morts selon les meilleures estimations. " +
				"« Attack on the army camp at Sévaré » : 17 personnes ont été tuées près de Sévaré (à 5 km environ), région de Mopti, " +
				"le 24 avril 2022, selon Malian Armed Forces (FAMa/EMGA) (24 avril 2022). Autres bilans : Katiba Macina (JNIM), aucun chiffre. " +
				"« Attack on the army camp at Niono » : personne n’a été tué près de Niono (à 5 km environ), région de Ségou, " +
				"le 24 avril 2022, selon Malian Armed Forces (FAMa/EMGA) (24 avril 2022). Autres bilans : Katiba Macina (JNIM), aucun chiffre. " +
				"« Attack on the army camp at Bapho » : personne n’a été tué près de Bapho (à 5 km environ), région de Ségou, " +
				"le 24 avril 2022, selon Malian Armed Forces (FAMa/EMGA) (24 avril 2022). Autres bilans : Katiba Macina (JNIM), aucun chiffre."},
		{"a date known to the week and a place near a town", "en", homboriView, "",
			"Incidents near Hombori, 24 April 2022",
			"Killing of detainees at the Hombori army camp: 20 people were killed near Hombori (within about 5 km), Mopti region, " +
				"around 24 April 2022 (to within a week), according to MINUSMA (31 August 2022). " +
				"Other claims: Unnamed press article (not independently verified), 2. The claims differ."},
		{"à une semaine près", "fr", homboriView, "",
			"Incidents près de Hombori, 24 avril 2022",
			"« Killing of detainees at the Hombori army camp » : 20 personnes ont été tuées près de Hombori (à 5 km environ), " +
				"région de Mopti, vers le 24 avril 2022 (à une semaine près), selon MINUSMA (31 août 2022). " +
				"Autres bilans : Unnamed press article (not independently verified), 2. Les bilans diffèrent."},
		{"a place known to the province", "en", soumView, "",
			"Incidents in Soum province, 24 April 2022",
			"Attacks on the army detachments at Gaskindé and Pobé-Mengao: 15 people were killed somewhere in Soum province, " +
				"Sahel region, on 24 April 2022, according to Burkina Faso army (EMGA) (24 April 2022)."},
		{"dans la province du Soum", "fr", soumView, "",
			"Incidents dans la province du Soum, 24 avril 2022",
			"« Attacks on the army detachments at Gaskindé and Pobé-Mengao » : 15 personnes ont été tuées quelque part " +
				"dans la province du Soum, région de Sahel, le 24 avril 2022, selon Burkina Faso army (EMGA) (24 avril 2022)."},
		{"the highlighted incident's place alone, told first", "en", view([4]float64{-7, 13, 0, 16.5}, "2022-04-01", "2022-04-30"),
			"hombori-camp-detainees-2022-04-24", "Incidents near Hombori, 1-30 April 2022", ""},
		{"no incident", "en", view([4]float64{-2.2, 13.6, -1.2, 14.5}, "2021-04-24", "2021-04-24"), "",
			"Incidents, 24 April 2021", "No incident in this area, 24 April 2021."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := load(t, r, tc.lang, tc.f, tc.highlight)
			if got := story.Caption(v); got != tc.caption {
				t.Errorf("caption\n got %s\nwant %s", got, tc.caption)
			}
			got := story.Describe(v)
			if tc.story != "" && got != tc.story {
				t.Errorf("description\n got %s\nwant %s", got, tc.story)
			}
			if tc.highlight != "" && !strings.HasPrefix(got, "7 incidents in Hombori, near Sévaré, in Soum province and elsewhere, 1-30 April 2022; "+
				"114 people killed by the best estimates. Killing of detainees at the Hombori army camp: ") {
				t.Errorf("description %s", got)
			}
		})
	}
}

// TestDescriptionIsBounded tells every incident of the seed: the most
// significant few in full, a few claims each, then how many more.
func TestDescriptionIsBounded(t *testing.T) {
	r := openSeed(t)
	for _, lang := range []string{"en", "fr"} {
		v := load(t, r, lang, geo.Filter{}, "")
		caption, text := story.Caption(v), story.Describe(v)
		if lang == "en" && (caption != "Incidents in the Ménaka region, in Moura, near Diallassagou and elsewhere, all dates" ||
			!strings.HasPrefix(text, "14 incidents in the Ménaka region, in Moura, near Diallassagou and elsewhere, all dates. "+
				"ISGS offensive in the Ménaka region: at least 900 people were killed somewhere in the Ménaka region, "+
				"from March to December 2022 (to the month), according to ACLED. Other claims: ") ||
			!strings.Contains(text, "opex360, 250-500; and 2 more.") || !strings.HasSuffix(text, " 11 more incidents are not described here.")) {
			t.Errorf("%s\n%s", caption, text)
		}
		if lang == "fr" && (!strings.Contains(text, "de mars à décembre 2022 (au mois près)") ||
			!strings.HasSuffix(text, " 11 autres incidents ne sont pas décrits ici.")) {
			t.Errorf("%s\n%s", caption, text)
		}
		if n := len([]rune(text)); n > 2500 {
			t.Errorf("%d characters", n)
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
