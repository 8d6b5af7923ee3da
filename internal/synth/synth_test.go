package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

func TestASeedAlwaysGivesTheSameIncidents(t *testing.T) {
	a, b, other := New(7), New(7), New(8)
	for i := range 2000 {
		x, y, z := a.Next(), b.Next(), other.Next()
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("incident %d differs between two runs of seed 7:\n%+v\n%+v", i+1, x, y)
		}
		if i == 0 && reflect.DeepEqual(x.Geometry, z.Geometry) {
			t.Errorf("seeds 7 and 8 give the same first point %v", x.Geometry)
		}
	}
	next := New(7).UpTo(3)
	var ids []string
	for in, ok, err := next(); ok || err != nil; in, ok, err = next() {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	if want := []string{"synth-7-00000001", "synth-7-00000002", "synth-7-00000003"}; !slices.Equal(ids, want) {
		t.Errorf("UpTo(3) ids = %v, want %v", ids, want)
	}
}

func TestIncidentsAreValidAndInTheSahel(t *testing.T) {
	const n = 20000
	g := New(1)
	id := regexp.MustCompile(`^synth-1-\d{8}$`)
	last := time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC)
	for i := range n {
		in := g.Next()
		if ps := in.Validate(); ps != nil {
			t.Fatalf("incident %d is invalid: %v\n%+v", i+1, ps, in)
		}
		pt, ok := in.Geometry.(orb.Point)
		if !ok || !sahel.Contains(pt) {
			t.Fatalf("incident %s at %v, outside the Sahel box %v", in.ID, in.Geometry, sahel)
		}
		if !id.MatchString(in.ID) || !in.Synthetic || !strings.Contains(in.Summary, "Synthetic") ||
			!strings.HasPrefix(in.Title, "Synthetic incident ") {
			t.Fatalf("incident %s is not clearly synthetic: %+v", in.ID, in)
		}
		if in.StartsAt.Before(firstDay) || in.EndsAt.After(last) {
			t.Fatalf("incident %s spans %v..%v, outside 2012-01-01..2026-06-30", in.ID, in.StartsAt, in.EndsAt)
		}
		if len(in.Actors) < 1 || len(in.Actors) > 3 || len(in.Claims) != 1 || len(in.Sources) != 1 ||
			in.Sources[0].URL != "https://example.invalid/synthetic/"+in.ID {
			t.Fatalf("incident %s: actors, claims or sources wrong: %+v", in.ID, in)
		}
	}
}

// TestDistributions checks the shape of the data, loosely: these are
// properties a benchmark relies on, not exact figures.
func TestDistributions(t *testing.T) {
	const n = 50000
	g := New(1)
	var oneDay, late, early, admin, overHundred int
	types := map[string]int{}
	var best []int
	for range n {
		in := g.Next()
		if in.EndsAt.Sub(in.StartsAt) < 24*time.Hour {
			oneDay++
		}
		switch y := in.StartsAt.Year(); {
		case y >= 2022 && y <= 2025:
			late++
		case y <= 2015:
			early++
		}
		if in.GeoPrecision == "admin1" || in.GeoPrecision == "admin2" {
			admin++
		}
		types[in.EventType]++
		best = append(best, *in.Fatalities.Best)
		if *in.Fatalities.Best > 100 {
			overHundred++
		}
	}
	slices.Sort(best)
	checks := []struct {
		name   string
		got    float64
		lo, hi float64
	}{
		{"share of one-day incidents", float64(oneDay) / n, 0.82, 0.88},
		{"2022-2025 over 2012-2015", float64(late) / float64(early), 4, 20},
		{"share of admin1/admin2 precision", float64(admin) / n, 0.08, 0.12},
		{"median fatalities", float64(best[n/2]), 1, 3},
		{"share with zero fatalities", float64(slices.Index(best, 1)) / n, 0.2, 0.45},
		{"share over 100 fatalities", float64(overHundred) / n, 0.0005, 0.01},
		{"violence against civilians over protests", float64(types["violence_against_civilians"]) / float64(types["protests"]), 2, 8},
		{"battles over riots", float64(types["battles"]) / float64(types["riots"]), 4, 12},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s = %.4g, want %g..%g", c.name, c.got, c.lo, c.hi)
		}
	}
}

func BenchmarkSynth(b *testing.B) {
	g := New(1)
	for b.Loop() {
		g.Next()
	}
}

// The data of a seed never changes: benchmarks of different versions run
// on the same incidents. The hashes are of the first 20,000 incidents of
// seeds 1 and 7, written field by field (canon).
func TestSeedsGiveTheSameDataAsEver(t *testing.T) {
	for seed, want := range map[uint64]string{
		1: "57e5aa252d25b194ba8bb1808e8285fc70093392781c6f429509fcb7d3dc7f8a",
		7: "b1d7c71bee992199a2837e717ec32bb5045a0c981cf0058cdb7fe9eeb5708eb9",
	} {
		h := sha256.New()
		next := Incidents(seed, 20000)
		for in, ok, err := next(); ok || err != nil; in, ok, err = next() {
			if err != nil {
				t.Fatal(err)
			}
			canon(h, in)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("seed %d: the incidents changed (hash %s, want %s)", seed, got, want)
		}
	}
}

// canon writes every field the generator sets, pointers followed (into a
// hash, whose writes do not fail).
func canon(w io.Writer, in *geo.Incident) {
	f := in.Fatalities
	_, _ = fmt.Fprintf(w, "%q %q %q %q %q %v %q %q %q %q %q %q %s %s %q %q %v/%v/%v %q %v %v\n",
		in.ID, in.Title, in.Summary, in.EventType, in.SubEventType, in.Geometry, in.Location, in.PlaceID,
		in.Country, in.Admin1, in.Admin2, in.GeoPrecision, in.StartsAt.Format(time.RFC3339Nano),
		in.EndsAt.Format(time.RFC3339Nano), in.DatePrecision, in.Actors,
		deref(f.Low), deref(f.Best), deref(f.High), in.Status, in.ExternalIDs, in.Synthetic)
	for _, c := range in.Claims {
		_, _ = fmt.Fprintf(w, " claim %q %v %v %v %q %q\n", c.Claimant, c.ClaimedOn, deref(c.FatalitiesLow),
			deref(c.FatalitiesHigh), c.Statement, c.Source)
	}
	for _, s := range in.Sources {
		_, _ = fmt.Fprintf(w, " source %q %q %q %v %q %q\n", s.URL, s.Publisher, s.Title, s.PublishedOn, s.Language, s.Note)
	}
}

func deref(p *int) any {
	if p == nil {
		return "nil"
	}
	return *p
}
