package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// fixedTiles answers every tile with the same MVT: the serving path alone,
// with nothing to build.
type fixedTiles struct {
	gz    []byte
	raw   []byte
	etag  string
	delay time.Duration // how long each answer takes
}

// NeedsDatabase: the fixed tiles all come from memory.
func (f *fixedTiles) NeedsDatabase(geo.Filter) bool { return false }

func (f *fixedTiles) Tile(_ context.Context, _ maptile.Tile, _ geo.Filter, gzipped bool) ([]byte, string, error) {
	time.Sleep(f.delay)
	if gzipped {
		return f.gz, f.etag, nil
	}
	return f.raw, f.etag, nil
}

func newFixedTiles(size int) *fixedTiles {
	r := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, size)
	for i := range raw {
		raw[i] = byte('a' + r.IntN(8)) // compresses about 3:1, like a tile
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(raw) // into a bytes.Buffer: cannot fail
	_ = zw.Close()
	return &fixedTiles{gz: buf.Bytes(), raw: raw, etag: `"0123456789abcdef01234567"`}
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the server and not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkWarmTile is one cached tile through the server, gzipped and
// not: what is left to the server once the tile is built. "fast" is the
// whole server, where the tile takes the fast path; "echo" is the same
// request through Echo's middleware chain and the tile handler.
func BenchmarkWarmTile(b *testing.B) {
	tiles := newWarmTiles()
	s := New(Config{Tiles: tiles, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	for _, path := range []struct {
		name string
		h    http.Handler
	}{{"fast", s}, {"echo", s.echo}} {
		for _, tc := range []struct {
			name, encoding string
		}{{"gzip", "gzip, deflate, br"}, {"identity", ""}} {
			b.Run(path.name+"/"+tc.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/tiles/8/126/118.mvt?datetime=2022-01-01/2022-12-31", nil)
				req.RemoteAddr = "192.0.2.1:1234"
				if tc.encoding != "" {
					req.Header.Set("Accept-Encoding", tc.encoding)
				}
				s.ServeHTTP(&discard{h: http.Header{}}, req) // parse and cache it
				b.ReportAllocs()
				for b.Loop() {
					w := &discard{h: http.Header{}}
					path.h.ServeHTTP(w, req)
				}
			})
		}
	}
}
