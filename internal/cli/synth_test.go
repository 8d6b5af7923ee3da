package cli

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/internal/testenv"
)

func TestSynthIsDeterministic(t *testing.T) {
	a, b, other := newSynth(7), newSynth(7), newSynth(8)
	for i := range 2000 {
		x, y, z := a.next(), b.next(), other.next()
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("incident %d differs between two runs of seed 7:\n%+v\n%+v", i+1, x, y)
		}
		if i == 0 && reflect.DeepEqual(x.Geometry, z.Geometry) {
			t.Errorf("seeds 7 and 8 give the same first point %v", x.Geometry)
		}
	}
	next := newSynth(7).upTo(3)
	var ids []string
	for in, ok, err := next(); ok || err != nil; in, ok, err = next() {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	if want := []string{"synth-7-00000001", "synth-7-00000002", "synth-7-00000003"}; !slices.Equal(ids, want) {
		t.Errorf("upTo(3) ids = %v, want %v", ids, want)
	}
}

// synthSample is the first n incidents of seed 1, checked one by one.
func TestSynthIncidentsAreValidAndInTheSahel(t *testing.T) {
	const n = 20000
	g := newSynth(1)
	id := regexp.MustCompile(`^synth-1-\d{8}$`)
	last := time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC)
	for i := range n {
		in := g.next()
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

// TestSynthDistributions checks the shape of the data, loosely: these are
// properties a benchmark relies on, not exact figures.
func TestSynthDistributions(t *testing.T) {
	const n = 50000
	g := newSynth(1)
	var oneDay, late, early, admin, overHundred int
	types := map[string]int{}
	var best []int
	for range n {
		in := g.next()
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

func TestSynthFlagsAreCheckedBeforeTheDatabase(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, args := range [][]string{{"synth"}, {"synth", "--count", "0"}, {"synth", "--count", "50000001"}} {
		err := Run(context.Background(), args, noEnv, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--count must be 1..50000000") {
			t.Errorf("run %v = %v, want a --count error", args, err)
		}
	}
}

func TestSynthLoadsOnceThenRefusesTheSameIds(t *testing.T) {
	dsn := testenv.NewDatabase(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := Run(ctx, []string{"synth", "--count", "3000", "--seed", "3"}, env, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^synthesized 3000 incidents in [\d.]+ s \(\d+/s\)\n$`).MatchString(out.String()) {
		t.Errorf("synth printed %q", out.String())
	}
	err := Run(ctx, []string{"synth", "--count", "10", "--seed", "3"}, env, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "synth-3-00000001") || !strings.Contains(err.Error(), "already loaded") {
		t.Errorf("second synth of seed 3 = %v, want a duplicate id error", err)
	}
}

func BenchmarkSynth(b *testing.B) {
	g := newSynth(1)
	for b.Loop() {
		g.next()
	}
}
