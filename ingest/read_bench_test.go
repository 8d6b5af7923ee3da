package ingest

import (
	"context"
	"os"
	"testing"
)

// BenchmarkDecodeFeature measures the client's share of an import: one
// typical synthetic feature of about 1 KB decoded and validated.
func BenchmarkDecodeFeature(b *testing.B) {
	raw, err := os.ReadFile("testdata/synthetic-feature.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		in, err := DecodeFeature(context.Background(), raw, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if ps := in.Validate(); ps != nil {
			b.Fatal(ps)
		}
	}
}
