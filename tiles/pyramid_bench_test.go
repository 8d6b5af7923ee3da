package tiles

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
	"incidentmap/internal/synth"
)

// BenchmarkPyramidLowZoom is (g) of `make bench` (BENCH_ONLY=pyramid): on
// BENCH_PYRAMID_N synthetic incidents of `incidentmap synth` (default a
// million) held in memory, it builds every non-empty tile of zooms 0 to
// pyramidMaxZoom cold (no cache: Service.build, layout, encoding and
// gzip), all years and over the data's last three months, once by a scan
// of the index (before: an index without its pyramid) and once from the
// pyramid (after), tile by tile side by side, for BENCH_PYRAMID_ROUNDS
// rounds (default 3). It also times the index's build and its read back
// from a saved file, with and without the pyramid, and weighs both. With
// BENCH_PYRAMID_OUT set, it writes its figures there as JSON for
// scripts/bench. Run it at 10M with
//
//	BENCH_PYRAMID_N=10000000 go test -run '^$' -bench PyramidLowZoom -benchtime 1x -timeout 60m ./tiles
func BenchmarkPyramidLowZoom(b *testing.B) {
	n := envInt("BENCH_PYRAMID_N", 1_000_000)
	runtime.LockOSThread() // the thread's CPU time is what the work measured costs
	defer runtime.UnlockOSThread()
	rounds := envInt("BENCH_PYRAMID_ROUNDS", 3)
	var res pyramidResults
	res.N = n
	ix := synthIndex(b, n, &res)
	bare := *ix
	bare.pyr = nil
	path := filepath.Join(b.TempDir(), "index")
	if err := writeIndexFile(context.Background(), path, &snapshot{ix: ix, seq: 1}, "bench"); err != nil {
		b.Fatal(err)
	}
	debug.FreeOSMemory()
	watch := startWatch()
	saved, err := readIndexFile(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	res.ReadWith = watch.seconds()
	watch = startWatch()
	buildPyramid(saved.ix)
	sum := watch.seconds()
	res.ReadWithout = [2]float64{res.ReadWith[0] - sum[0], res.ReadWith[1] - sum[1]}
	saved = nil //nolint:ineffassign,wastedassign // drops the copy read back before the tiles run
	debug.FreeOSMemory()

	s := New(nil, Options{})
	before, after := &snapshot{ix: &bare, seq: 1}, &snapshot{ix: ix, seq: 1}
	last := slices.Max(ix.start)
	threeMonths := geo.Interval{Start: ptrTime(time.UnixMicro(last).UTC().AddDate(0, -3, 0)), End: ptrTime(time.UnixMicro(last).UTC())}
	b.ResetTimer()
	for _, w := range []struct {
		name string
		f    geo.Filter
	}{{"all years", geo.Filter{}}, {"last 3 months", geo.Filter{Time: threeMonths}}} {
		m, _ := compile(w.f)
		byZoom := map[int]*tileTimes{}
		all := &tileTimes{}
		for range rounds {
			for _, t := range occupiedTiles(ix, pyramidMaxZoom) {
				z := int(t.Z)
				if byZoom[z] == nil {
					byZoom[z] = &tileTimes{}
				}
				for k, sn := range []*snapshot{before, after} {
					watch := startWatch()
					if _, err := s.build(context.Background(), sn, t, w.f, ""); err != nil {
						b.Fatal(err)
					}
					tile := watch.seconds()
					wall, cpu := tile[0]*1000, tile[1]*1000
					watch = startWatch()
					layOut(sn.ix, t, &m)
					layout := watch.seconds()[0] * 1000
					for _, tt := range []*tileTimes{byZoom[z], all} {
						tt.wall[k], tt.cpu[k] = append(tt.wall[k], wall), append(tt.cpu[k], cpu)
						tt.layout[k] = append(tt.layout[k], layout)
					}
				}
			}
		}
		for z := 0; z <= pyramidMaxZoom; z++ {
			if d := byZoom[z]; d != nil {
				res.Rows = append(res.Rows, d.row(w.name, strconv.Itoa(z), rounds))
			}
		}
		res.Rows = append(res.Rows, all.row(w.name, "0-"+strconv.Itoa(pyramidMaxZoom), rounds))
	}
	b.StopTimer()
	res.Rounds = rounds
	res.ApplyOne, res.UpdateOne = timeOneWrite(ix)
	if out := os.Getenv("BENCH_PYRAMID_OUT"); out != "" {
		raw, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var layoutAll pyramidRow
	for _, r := range res.Rows {
		if r.Window == "all years" && strings.Contains(r.Zoom, "-") {
			layoutAll = r
		}
		fmt.Printf("%-13s z%-4s %4d tiles  before p50 %6.1f p99 %6.1f max %6.1f ms   after p50 %6.1f p99 %6.1f max %6.1f ms\n",
			r.Window, r.Zoom, r.Tiles, r.Before[0], r.Before[1], r.Before[2], r.After[0], r.After[1], r.After[2])
	}
	fmt.Printf("layout alone, all years z0-7: before p50 %.1f p99 %.1f max %.1f ms, after p50 %.2f p99 %.2f max %.2f ms\n",
		layoutAll.BeforeLayout[0], layoutAll.BeforeLayout[1], layoutAll.BeforeLayout[2],
		layoutAll.AfterLayout[0], layoutAll.AfterLayout[1], layoutAll.AfterLayout[2])
	fmt.Printf("index %.0f MiB + pyramid %.1f MiB (%d cells); build %.2f s + pyramid %.2f s; read back %.2f s without the pyramid, %.2f s with\n",
		res.IndexMiB, res.PyramidMiB, res.Cells, res.Build[0], res.PyramidBuild[0], res.ReadWithout[0], res.ReadWith[0])
	fmt.Printf("one write: apply %.1f ms, of which the pyramid's update %.2f ms\n", res.ApplyOne, res.UpdateOne)
	fmt.Printf("heap after the build: %.0f MiB without the pyramid, %.0f MiB with\n", res.HeapWithout, res.HeapWith)
}

// pyramidResults are BenchmarkPyramidLowZoom's figures, in the JSON
// scripts/bench reads (scripts/bench/pyramid.go).
type pyramidResults struct {
	N, Rounds, Cells      int
	IndexMiB, PyramidMiB  float64
	HeapWithout, HeapWith float64    // MiB in use after a collection
	Build, PyramidBuild   [2]float64 // seconds, wall and CPU: the index's finish, then its pyramid
	ReadWithout, ReadWith [2]float64 // seconds, wall and CPU: reading the saved index back
	ApplyOne, UpdateOne   float64    // CPU ms, median of 5: applying one write to the index, and the pyramid's part of it
	Rows                  []pyramidRow
}

// pyramidRow is one line of cold tile times, p50, p99 and max in ms:
// the tile's build (wall clock and the CPU time of its thread) and its
// layout alone (wall clock: too short for the thread's CPU time, which
// Linux reports late), before and after.
type pyramidRow struct {
	Window, Zoom              string
	Tiles                     int
	Before, After             [3]float64
	BeforeCPU, AfterCPU       [3]float64
	BeforeLayout, AfterLayout [3]float64
}

// tileTimes gathers times in ms, before ([0]) and after ([1]).
type tileTimes struct{ wall, cpu, layout [2][]float64 }

func (tt *tileTimes) row(window, zoom string, rounds int) pyramidRow {
	return pyramidRow{Window: window, Zoom: zoom, Tiles: len(tt.wall[0]) / rounds,
		Before: quantiles(tt.wall[0]), After: quantiles(tt.wall[1]),
		BeforeCPU: quantiles(tt.cpu[0]), AfterCPU: quantiles(tt.cpu[1]),
		BeforeLayout: quantiles(tt.layout[0]), AfterLayout: quantiles(tt.layout[1])}
}

// stopwatch times wall clock and the CPU time of the calling thread,
// which must be locked to it (runtime.LockOSThread).
type stopwatch struct {
	wall time.Time
	cpu  time.Duration
}

func startWatch() stopwatch { return stopwatch{time.Now(), threadCPU()} }

// seconds returns the wall and the CPU seconds since the start.
func (w stopwatch) seconds() [2]float64 {
	return [2]float64{time.Since(w.wall).Seconds(), (threadCPU() - w.cpu).Seconds()}
}

// threadCPU is the CPU time of the calling thread (Linux; 0 elsewhere).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// synthIndex builds the index of n synthetic incidents and its pyramid,
// timing and weighing both into res.
func synthIndex(b *testing.B, n int, res *pyramidResults) *index {
	var bld builder
	bld.reserve(n)
	next := synth.Incidents(1, n)
	for {
		in, ok, err := next()
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			break
		}
		s := geo.Summary{ID: in.ID, Title: in.Title, Location: in.Location, Geometry: in.Geometry,
			StartsAt: in.StartsAt, EndsAt: in.EndsAt, EventType: in.EventType, SubEventType: in.SubEventType,
			Country: in.Country, GeoPrecision: in.GeoPrecision, FatalitiesBest: in.Fatalities.Best}
		for _, src := range in.Sources {
			s.Publishers = append(s.Publishers, src.Publisher)
		}
		bld.addSummary(&s)
	}
	watch := startWatch()
	ix := bld.finish()
	res.Build = watch.seconds()
	bld = builder{}
	res.HeapWithout = heapMiB()
	watch = startWatch()
	withPyramid(ix)
	res.PyramidBuild = watch.seconds()
	res.HeapWith = heapMiB()
	res.IndexMiB = float64(indexBytes(ix)) / (1 << 20)
	res.PyramidMiB = float64(ix.pyr.bytes()) / (1 << 20)
	for _, cells := range ix.pyr.levels {
		res.Cells += len(cells)
	}
	return ix
}

func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// occupiedTiles lists the tiles of zooms 0 to maxZoom that hold an
// incident of ix.
func occupiedTiles(ix *index, maxZoom int) []maptile.Tile {
	var out []maptile.Tile
	for z := 0; z <= maxZoom; z++ {
		for _, c := range ix.pyr.levels[z] {
			code := c.key >> (2 * gridBits)
			x, y := deinterleave(code)
			t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
			if len(out) == 0 || out[len(out)-1] != t {
				out = append(out, t)
			}
		}
	}
	return out
}

// quantiles returns the p50, p99 and max of ms.
func quantiles(ms []float64) [3]float64 {
	s := slices.Clone(ms)
	slices.Sort(s)
	at := func(q float64) float64 { return s[min(len(s)-1, int(math.Ceil(q*float64(len(s))))-1)] }
	return [3]float64{at(0.5), at(0.99), s[len(s)-1]}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(strings.TrimSpace(os.Getenv(name))); err == nil && v > 0 {
		return v
	}
	return def
}

func ptrTime(t time.Time) *time.Time { return &t }

// String is the figures in short, for a log.
func (r pyramidResults) String() string {
	return fmt.Sprintf("%d incidents, %d rows", r.N, len(r.Rows))
}

// BenchmarkBuildPyramid sums up the pyramid of a million incidents, as a
// start does after reading the saved index.
func BenchmarkBuildPyramid(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)))
	b.ResetTimer()
	for range b.N {
		buildPyramid(ix)
	}
}

// timeOneWrite applies five writes, each moving one incident of ix, and
// returns the median CPU time of apply and of the pyramid's update in it
// (ms; the update, which is short, timed over 20 runs).
func timeOneWrite(ix *index) (applyMs, updateMs float64) {
	var applies, updates []float64
	for k := range 5 {
		i := (k + 1) * ix.len() / 7
		s := ix.summary(i)
		s.Geometry = lonLat(ix.x[(i+1)%ix.len()], ix.y[(i+1)%ix.len()])
		watch := startWatch()
		next, _, _ := apply(ix, []string{s.ID}, []geo.Summary{s})
		applies = append(applies, watch.seconds()[1]*1000)
		var fresh builder
		fresh.addSummary(&s)
		added := fresh.finish()
		watch = startWatch()
		for range 20 {
			ix.pyr.updated(next, ix, []int32{int32(i)}, added)
		}
		updates = append(updates, watch.seconds()[1]*1000/20)
	}
	return quantiles(applies)[0], quantiles(updates)[0]
}
