package export

import (
	"context"
	"io"
	"testing"
)

// benchmarkFormat writes 20,000 synthetic incidents in the format named
// name, and reports the time and bytes per incident.
func benchmarkFormat(b *testing.B, name string) {
	list := synthIncidents(20000)
	format, _ := Lookup(name)
	var out countingWriter
	b.ReportAllocs()
	for b.Loop() {
		out.n = 0
		if err := format.Write(context.Background(), io.Writer(&out), eachOf(list), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list)), "ns/incident")
	b.ReportMetric(float64(out.n)/float64(len(list)), "bytes/incident")
}

func BenchmarkWriteKML(b *testing.B)        { benchmarkFormat(b, "kml") }
func BenchmarkWriteFlatGeobuf(b *testing.B) { benchmarkFormat(b, "fgb") }
