package synth

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"
)

// Sahel is the box scattered incidents fall in, and every incident stays in.
var sahel = orb.Bound{Min: orb.Point{-12, 10}, Max: orb.Point{4, 21}}

// where draws a point, its nearest town and its geo precision: 3% scattered
// over the Sahel box, the rest around a town (by weight) with a Gaussian
// jitter (Student-t, heavier-tailed, for towns marked so). admin2 and admin1
// precision incidents sit on the town's point, as a reference point would.
func (g *Generator) where() (orb.Point, *Town, string) {
	prec := g.geoPrecision()
	if g.r.Float64() < 0.03 {
		pt := orb.Point{sahel.Min[0] + g.r.Float64()*16, sahel.Min[1] + g.r.Float64()*11}
		t := nearestTown(pt)
		if prec == "admin2" || prec == "admin1" {
			pt = t.pt()
		}
		return pt, t, prec
	}
	t := &towns[pick(g.r, towns, Town.weight)]
	if prec == "admin2" || prec == "admin1" {
		return t.pt(), t, prec
	}
	for {
		dx, dy := g.r.NormFloat64(), g.r.NormFloat64()
		if t.Heavy { // Student-t with 3 degrees of freedom
			a, b, c := g.r.NormFloat64(), g.r.NormFloat64(), g.r.NormFloat64()
			s := math.Sqrt((a*a + b*b + c*c) / 3)
			dx, dy = dx/s, dy/s
		}
		lat := t.Lat + dy*t.SigmaKm/111.32
		lon := t.Lon + dx*t.SigmaKm/(111.32*math.Cos(t.Lat*math.Pi/180))
		pt := orb.Point{round5(lon), round5(lat)}
		if sahel.Contains(pt) && math.Abs(dx) < 12 && math.Abs(dy) < 12 {
			return pt, nearestTown(pt), prec
		}
	}
}

// round5 keeps 5 decimals (about a metre), as a reported point would.
func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

func (g *Generator) geoPrecision() string {
	switch u := g.r.Float64(); {
	case u < 0.55:
		return "exact"
	case u < 0.90:
		return "near"
	case u < 0.97:
		return "admin2"
	default:
		return "admin1"
	}
}

// firstDay and lastDay bound synthetic incidents: 2012-01-01 to 2026-06-30.
var (
	firstDay = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDay  = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
)

// Days returns the first and the last day of the synthetic incidents: each
// starts on or after first and ends on last at the latest.
func Days() (first, last time.Time) { return firstDay, lastDay }

// yearWeights weighs years 2012..2026 roughly like ACLED's Sahel event
// counts (2026 counts half a year).
var yearWeights = []float64{7, 6, 4, 6, 7, 9, 19, 30, 36, 40, 55, 60, 55, 55, 27}

// when draws the start day (denser in later years), the duration (85% one
// day, 14% 2-30 days, 1% up to a year) and the date precision.
func (g *Generator) when() (starts, ends time.Time, precision string) {
	year := 2012 + pick(g.r, yearWeights, itself)
	y0 := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	y1 := earlier(time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC), lastDay.AddDate(0, 0, 1))
	days := int(y1.Sub(y0).Hours() / 24)
	starts = y0.AddDate(0, 0, g.r.IntN(days))
	dur, precision := 1, "day"
	switch u := g.r.Float64(); {
	case u < 0.85:
	case u < 0.99:
		dur = 2 + g.r.IntN(29)
		if g.r.Float64() < 0.15 {
			precision = "week"
		}
	default:
		dur = 31 + g.r.IntN(335)
		precision = "month"
		if g.r.Float64() < 0.4 {
			precision = "year"
		}
	}
	ends = earlier(starts.AddDate(0, 0, dur), lastDay.AddDate(0, 0, 1)).Add(-time.Second)
	return starts, ends, precision
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// pick draws an index of items with probability proportional to its
// weight.
func pick[T any](r *rand.Rand, items []T, weight func(T) float64) int {
	total := 0.0
	for _, it := range items {
		total += weight(it)
	}
	u := r.Float64() * total
	for i, it := range items {
		w := weight(it)
		if u < w {
			return i
		}
		u -= w
	}
	return len(items) - 1
}

// itself is the weight of a weight.
func itself(w float64) float64 { return w }
