package tiles

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// millionIndex is an index of a million random incidents around Moura in
// March and April 2022 (see randomSummary).
func millionIndex(r *rand.Rand) *index {
	var b builder
	for i := range 1_000_000 {
		s := randomSummary(r, fmt.Sprintf("synth-1-%08d", i))
		b.addSummary(&s)
	}
	return b.finish()
}

// BenchmarkApplyOneWrite is the cost of one write to an index of a million
// incidents: the whole index is copied, in runs.
func BenchmarkApplyOneWrite(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	ix := millionIndex(r)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("synth-1-%08d", i%1_000_000)
		ix, _, _ = apply(ix, []string{id}, []geo.Summary{randomSummary(r, id)})
	}
}

// BenchmarkScanLowZoomWindow lays out a z4 tile that holds all of a
// million incidents, a quarter of them in the window.
func BenchmarkScanLowZoomWindow(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)))
	iv, err := geo.ParseInterval("datetime", "2022-03-10/2022-03-20")
	if err != nil {
		b.Fatal(err)
	}
	m, _ := compile(geo.Filter{Time: iv})
	t := maptile.At(orb.Point{-4.6, 14.3}, 4)
	b.ResetTimer()
	for range b.N {
		scan(ix, t, &m)
	}
}

// BenchmarkReadSavedIndex reads back a saved index of BENCH_SAVED_N
// incidents (default a million) like synth's (titles of 40-odd bytes, a
// line for one in fifty): the start of a server from its saved index,
// before the roll-forward. It reports the file's size, and the bytes the
// read allocated against the index's own size. Run it at 10M with
//
//	BENCH_SAVED_N=10000000 go test -run '^$' -bench ReadSavedIndex -benchtime 1x ./tiles
func BenchmarkReadSavedIndex(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_SAVED_N")); err == nil && v > 0 {
		n = v
	}
	r := rand.New(rand.NewPCG(1, 2))
	var bld builder
	bld.reserve(n)
	for i := range n {
		s := randomSummary(r, fmt.Sprintf("synth-1-%08d", i))
		s.Title = fmt.Sprintf("Synthetic incident %d near Moura", i)
		s.Location = "Moura, Djenné, Mopti"
		if i%50 != 0 {
			s.Geometry = s.Geometry.Bound().Center()
		}
		bld.addSummary(&s)
	}
	ix := bld.finish()
	path := filepath.Join(b.TempDir(), "index")
	sn := &snapshot{ix: ix, seq: 1}
	if err := writeIndexFile(context.Background(), path, sn, "bench"); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	size := indexBytes(ix)
	ix, sn, bld = nil, nil, builder{}
	runtime.GC()
	b.ResetTimer()
	for range b.N {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		saved, err := readIndexFile(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MiB/op")
		if saved.ix.len() != n {
			b.Fatalf("%d incidents read back", saved.ix.len())
		}
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(size)/(1<<20), "index-MiB")
}

// indexBytes is the memory of an index's columns and text.
func indexBytes(ix *index) int {
	n := ix.len()
	return n*(8+4+4+8+8+4+int(unsafe.Sizeof(attrs{}))+4+12) + len(ix.text)
}
