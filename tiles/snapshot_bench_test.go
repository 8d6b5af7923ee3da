//go:build linux

package tiles

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

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
	ix, sn, bld = nil, nil, builder{} //nolint:ineffassign // drops the build's memory before FreeOSMemory, whatever the compiler's liveness
	debug.FreeOSMemory()
	// Linux: reset the process's peak RSS (VmHWM), so that it shows the
	// read's peak, not the build's.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // elsewhere the peak is the build's
	b.ResetTimer()
	for range b.N {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu := cpuTime()
		saved, err := readIndexFile(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s/op")
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MiB/op")
		if saved.ix.len() != n {
			b.Fatalf("%d incidents read back", saved.ix.len())
		}
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(size)/(1<<20), "index-MiB")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's VmHWM in bytes (Linux), 0 when unknown.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// indexBytes is the memory of an index's columns and text.
func indexBytes(ix *index) int {
	n := ix.len()
	return n*(8+4+4+8+8+4+int(unsafe.Sizeof(attrs{}))+4+12) + len(ix.text)
}
