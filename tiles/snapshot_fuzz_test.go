package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// FuzzReadIndex feeds readIndex arbitrary files: it refuses them or
// returns an index whose every incident can be read, laid out and merged
// with a write, and it
// never panics.
func FuzzReadIndex(f *testing.F) {
	src := randomSource(rand.New(rand.NewPCG(9, 10)), 40)
	s := New(src, Options{})
	if err := s.refresh(context.Background()); err != nil {
		f.Fatal(err)
	}
	ix := s.snap.Load().ix
	f.Add(savedBytes(f, ix, 3, "seed"))
	f.Add(savedBytes(f, &index{}, 0, ""))
	f.Fuzz(func(t *testing.T, raw []byte) {
		saved, err := readIndex(bytes.NewReader(raw), int64(len(raw)), nil)
		if err != nil {
			if !errors.Is(err, errNotIndex) {
				t.Fatalf("error %v does not say the file was refused", err)
			}
			return
		}
		for i := range saved.ix.len() {
			_ = fmt.Sprint(saved.ix.summary(i))
		}
		m, _ := compile(window(t, "2000-01-01/2030-01-01"))
		for z := range 4 {
			scan(saved.ix, maptile.At(orb.Point{-4.6, 14.3}, maptile.Zoom(z)), &m)
		}
		apply(saved.ix, []string{"i-1"}, nil) // a write merged into it
	})
}
