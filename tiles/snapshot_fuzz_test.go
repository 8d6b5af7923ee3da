package tiles

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// FuzzReadIndex feeds readIndex arbitrary files: it refuses them or
// returns an index whose every incident can be read, laid out, matched in
// a bbox and merged with a write; it never panics.
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
		if len(raw) >= 4 && raw[len(raw)-1]&1 == 0 {
			// A valid checksum half the time, so that the checks after it
			// are explored too (TestDamagedSavedIndexIsRefused pins it).
			raw = bytes.Clone(raw)
			body := raw[:len(raw)-4]
			binary.LittleEndian.PutUint32(raw[len(raw)-4:], crc32.Checksum(body, castagnoli))
		}
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
		bbox := &geo.BBox{MinLon: -5, MinLat: 12, MaxLon: 0, MaxLat: 17}
		inBox, _ := compile(geo.Filter{BBox: bbox})
		eachMatch(saved.ix, &inBox, bbox, func(int32) {}) // lines and areas clipped to it
		apply(saved.ix, []string{"i-1"}, nil)             // a write merged into it
	})
}
