package tiles

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// pyramidSummary is a random incident for the pyramid's tests: most in a
// few dense spots (cells of hundreds), some alone anywhere in the world;
// over 25 years, most lasting a day or less, some months; some lines.
func pyramidSummary(r *rand.Rand, id string) geo.Summary {
	lon, lat := -170+r.Float64()*340, -80+r.Float64()*160
	if r.IntN(10) > 0 {
		spot := []orb.Point{{-4.6, 14.3}, {2.1, 13.5}, {-8, 12.6}, {36.8, -1.3}}[r.IntN(4)]
		d := []float64{0.001, 0.05, 2}[r.IntN(3)]
		lon, lat = spot[0]+d*r.NormFloat64(), spot[1]+d*r.NormFloat64()
	}
	s := summary(id, lon, lat, "2000-01-01")
	s.StartsAt = s.StartsAt.Add(time.Duration(r.IntN(25*365*24)) * time.Hour)
	s.EndsAt = s.StartsAt.Add(time.Duration(r.IntN(30)) * time.Hour)
	if r.IntN(20) == 0 {
		s.EndsAt = s.StartsAt.Add(time.Duration(r.IntN(200*24)) * time.Hour)
	}
	best := r.IntN(5) - 1
	s.FatalitiesBest = &best
	if best < 0 {
		s.FatalitiesBest = nil
	}
	s.EventType = eventTypeList[r.IntN(len(eventTypeList))]
	s.GeoPrecision = geo.GeoPrecisions[r.IntN(len(geo.GeoPrecisions))]
	if r.IntN(30) == 0 {
		p := s.Geometry.(orb.Point)
		s.Geometry = orb.LineString{p, {p[0] + 0.3, p[1] + 0.2}}
	}
	return s
}

func pyramidIndex(r *rand.Rand, n int) *index {
	var b builder
	for i := range n {
		s := pyramidSummary(r, fmt.Sprintf("p-%d", i))
		b.addSummary(&s)
	}
	return withPyramid(b.finish())
}

// randomWindow is a time filter of the kinds a viewer sends: none, a few
// days to a few years, open at one end, or wider than all the data.
func randomWindow(r *rand.Rand) geo.Interval {
	day := func(d int) *time.Time {
		t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		return &t
	}
	from := r.IntN(26 * 365)
	switch r.IntN(6) {
	case 0:
		return geo.Interval{}
	case 1:
		return geo.Interval{Start: day(-1000), End: day(30 * 365)}
	case 2:
		return geo.Interval{Start: day(from)}
	case 3:
		return geo.Interval{End: day(from)}
	}
	return geo.Interval{Start: day(from), End: day(from + 1 + r.IntN([]int{3, 90, 1000}[r.IntN(3)]))}
}

// Every low-zoom tile laid out from the pyramid is the tile a scan of the
// index lays out, cell by cell, for any time window: the same layout, so
// the same features and bytes.
func TestPyramidLayoutIsTheScans(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	ix := pyramidIndex(r, 20000)
	for k := range 600 {
		z := maptile.Zoom(r.IntN(pyramidMaxZoom + 1))
		i := r.IntN(ix.len())
		tile := maptile.At(lonLat(ix.x[i], ix.y[i]), z)
		f := geo.Filter{Time: randomWindow(r)}
		m, _ := compile(f)
		got, ok := fromPyramid(ix, tile, &m)
		if !ok {
			t.Fatalf("tile %v, %+v: the pyramid does not answer a time window", tile, f.Time)
		}
		want := scan(ix, tile, &m)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d, tile %v, window %+v: the pyramid's layout differs from the scan's", k, tile, m.window)
		}
		if k%20 == 0 {
			a, errA := mvt.Marshal(mvt.Layers{mvtLayer(IncidentsLayer, incidentFeatures(ix, got, tile))})
			b, errB := mvt.Marshal(mvt.Layers{mvtLayer(IncidentsLayer, incidentFeatures(ix, want, tile))})
			if errA != nil || errB != nil || string(a) != string(b) {
				t.Fatalf("tile %v: the encoded tiles differ (%v, %v)", tile, errA, errB)
			}
		}
	}
}

// Filters the pyramid does not sum up, deeper tiles and an index without a
// pyramid are scanned.
func TestPyramidLeavesOtherFiltersToTheScan(t *testing.T) {
	ix := pyramidIndex(rand.New(rand.NewPCG(1, 1)), 2000)
	tile := maptile.At(orb.Point{-4.6, 14.3}, 3)
	min1 := 1
	for _, f := range []geo.Filter{
		{EventTypes: []string{"battles"}},
		{SubEventTypes: []string{"armed_clash"}},
		{Countries: []string{"ML"}},
		{MinFatalities: &min1},
		{BBox: &geo.BBox{MinLon: -5, MinLat: 14, MaxLon: -4, MaxLat: 15}},
		{CQL: mustCQL(t, "fatalities_best > 1")},
	} {
		m, ok := compile(f)
		if !ok {
			t.Fatalf("%+v: the index should answer it", f)
		}
		if _, ok := fromPyramid(ix, tile, &m); ok {
			t.Errorf("%+v: the pyramid answered a filter it does not sum up", f)
		}
		if !reflect.DeepEqual(layOut(ix, tile, &m), scan(ix, tile, &m)) {
			t.Errorf("%+v: layOut differs from the scan", f)
		}
	}
	m, _ := compile(geo.Filter{})
	if _, ok := fromPyramid(ix, maptile.At(orb.Point{-4.6, 14.3}, pyramidMaxZoom+1), &m); ok {
		t.Error("the pyramid answered a tile deeper than its zooms")
	}
	bare := *ix
	bare.pyr = nil
	if _, ok := fromPyramid(&bare, tile, &m); ok {
		t.Error("an index without a pyramid answered from one")
	}
}

// Applying writes updates the pyramid to the one a full sum of the new
// index gives: removing, moving and adding incidents in dense cells and
// alone, emptying cells and making new ones.
func TestPyramidUpdatedEqualsRebuilt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ix := pyramidIndex(r, 4000)
	current := make(map[string]geo.Summary, ix.len())
	for i := range ix.len() {
		current[ix.id(i)] = ix.summary(i)
	}
	for round := range 40 {
		var ids []string
		var changed []geo.Summary
		for range 1 + r.IntN([]int{3, 300}[round%2]) {
			id := fmt.Sprintf("p-%d", r.IntN(4300))
			if _, dup := current[id]; dup && r.IntN(2) == 0 && round%2 == 0 {
				continue
			}
			ids = append(ids, id)
			if r.IntN(3) == 0 {
				delete(current, id)
				continue
			}
			current[id] = pyramidSummary(r, id)
		}
		for _, id := range ids {
			if s, ok := current[id]; ok && !containsID(changed, id) {
				changed = append(changed, s)
			}
		}
		ix, _, _ = apply(ix, ids, changed)
		if got, want := ix.pyr, buildPyramid(ix); !samePyramid(got, want) {
			t.Fatalf("round %d: the updated pyramid differs from the one summed up again", round)
		}
	}
}

func mustCQL(t *testing.T, text string) geo.Expression {
	t.Helper()
	f, err := cql2.ParseParams(text, "", "", true, cql2.IncidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func containsID(ss []geo.Summary, id string) bool {
	for _, s := range ss {
		if s.ID == id {
			return true
		}
	}
	return false
}

func samePyramid(a, b *pyramid) bool {
	for z := range a.levels {
		if len(a.levels[z]) != len(b.levels[z]) || (len(a.levels[z]) > 0 && !reflect.DeepEqual(a.levels[z], b.levels[z])) {
			return false
		}
	}
	return true
}

// The pyramid of an index read back from its file is summed up again.
func TestSavedIndexReadsBackWithItsPyramid(t *testing.T) {
	ix := pyramidIndex(rand.New(rand.NewPCG(2, 3)), 3000)
	raw := savedBytes(t, ix, 1, "here")
	saved, err := readIndex(bytes.NewReader(raw), int64(len(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.ix.pyr == nil || !samePyramid(saved.ix.pyr, ix.pyr) {
		t.Error("the index read back has not the pyramid of the one written")
	}
}

func TestPcellSize(t *testing.T) {
	if got := unsafe.Sizeof(pcell{}); got != pcellSize {
		t.Errorf("pcell takes %d bytes; pcellSize says %d", got, pcellSize)
	}
	if grid != 1<<gridBits {
		t.Errorf("grid %d is not 1<<gridBits (%d)", grid, 1<<gridBits)
	}
}

// A scan held to boxes (a bbox, an S_INTERSECTS rectangle or both) skips
// the parts of the tile they miss and lays out exactly what a scan of
// every incident would.
func TestBoxedScansSkipOnlyWhatTheBoxesRuleOut(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ix := pyramidIndex(r, 20000)
	for k := range 400 {
		i := r.IntN(ix.len())
		at := lonLat(ix.x[i], ix.y[i])
		tile := maptile.At(at, maptile.Zoom(2+r.IntN(12)))
		size := []float64{0.01, 0.3, 3, 40}[r.IntN(4)]
		lon, lat := at[0]+size*(r.Float64()-0.5), at[1]+size*(r.Float64()-0.5)
		lon, lat = max(min(lon, 179-size), -179+size), max(min(lat, 85-size), -85+size) // the literal stays in CRS84
		f := geo.Filter{Time: randomWindow(r)}
		if k%3 != 2 {
			f.BBox = &geo.BBox{MinLon: lon - size/2, MinLat: lat - size/2, MaxLon: lon + size/2, MaxLat: lat + size/2}
		}
		m, ok := compile(f)
		if !ok {
			t.Fatal("a bbox and a window are covered")
		}
		if k%3 != 0 {
			m = compiled(t, fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%f, %f, %f, %f))", lon-size, lat-size/3, lon+size/3, lat+size), "")
			m.window = f.Time.Window()
			m.boxes = nil
			if f.BBox != nil {
				x0, y1 := worldXY(orb.Point{f.BBox.MinLon, f.BBox.MinLat})
				x1, y0 := worldXY(orb.Point{f.BBox.MaxLon, f.BBox.MaxLat})
				m.boxes = []worldBox{{x0, y0, x1, y1}}
			}
		}
		if got, want := scan(ix, tile, &m), flatScan(ix, tile, &m); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d, tile %v, boxes %v, area %v: the layouts differ", k, tile, m.boxes, m.area != nil)
		}
	}
}

// flatScan is scan without skipping what the filter's boxes rule out:
// every incident of each part goes through the filter.
func flatScan(ix *index, t maptile.Tile, m *memFilter) *layout {
	l := newLayout(t)
	for _, part := range l.parts() {
		enough := int32(1<<31 - 1)
		if part != t {
			enough = perCell + 1
		}
		from, to := ix.search(mortonRange(part))
		for i := from; i < to; i++ {
			if m.match(ix, i) && l.add(ix, i) >= enough {
				break
			}
		}
	}
	l.settleMargin()
	return l
}
