package geo

import (
	"os"
	"testing"
)

// BenchmarkFeatureToIncident measures the client's share of an import: one
// typical synthetic feature of about 1 KB decoded and validated.
func BenchmarkFeatureToIncident(b *testing.B) {
	raw, err := os.ReadFile("testdata/synthetic-feature.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		in, lerr := featureToIncident(raw)
		if lerr != nil {
			b.Fatal(lerr)
		}
		if ps := in.Validate(); ps != nil {
			b.Fatal(ps)
		}
	}
}
