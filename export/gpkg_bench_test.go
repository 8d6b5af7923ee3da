package export

import (
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"

	"incidentmap/geo"
)

// BenchmarkGeoPackage exports 2,000 and 20,000 synthetic incidents and
// reports, beside time and allocations, the file's size and the most memory
// the export held at once: the live Go heap (after the last collection) and
// the growth of the process's resident set (which counts SQLite's page
// cache, allocated outside the Go heap), both sampled every 500 incidents.
// Bounded memory shows as the same peaks for 10 times the incidents.
//
//	go test -run '^$' -bench GeoPackage -benchtime 3x ./export/
func BenchmarkGeoPackage(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var peakHeap, peakRSS, size int64
			for b.Loop() {
				base := residentBytes()
				all := synthetic(n)
				seen := 0
				each := func(fn func(*geo.Incident) error) error {
					return all(func(in *geo.Incident) error {
						if seen++; seen%500 == 0 {
							peakHeap = max(peakHeap, liveHeapBytes())
							peakRSS = max(peakRSS, residentBytes()-base)
						}
						return fn(in)
					})
				}
				w := &countingWriter{}
				if err := WriteGeoPackage(b.Context(), w, each, nil); err != nil {
					b.Fatal(err)
				}
				size = w.n
			}
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-live-heap-MiB")
			b.ReportMetric(float64(peakRSS)/(1<<20), "peak-rss-growth-MiB")
		})
	}
}

func liveHeapBytes() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// residentBytes is the process's resident set (Linux /proc), or 0.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}
