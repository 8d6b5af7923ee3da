package tiles

import (
	"bytes"
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

func TestCachedAnswersOnlyCopiesTileWouldServeAsTheyAre(t *testing.T) {
	src := &memorySource{summaries: []geo.Summary{summary("a", -4.6, 14.3, "2022-03-27")}}
	s := loaded(t, src)
	tile := maptile.At(orb.Point{-4.6, 14.3}, 10)
	ctx := context.Background()
	hits := func() int64 { h, _, _, _ := s.CacheStats(); return h }

	if _, _, ok := s.Cached(tile, geo.Filter{}, true); ok || hits() != 0 {
		t.Fatalf("a tile never built: cached %v, %d hits", ok, hits())
	}
	if _, _, ok := s.Cached(maptile.New(0, 0, MaxZoom+1), geo.Filter{}, true); ok {
		t.Fatal("a tile outside the pyramid is cached")
	}
	gz, etag, err := s.Tile(ctx, tile, geo.Filter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.Cached(tile, geo.Filter{}, false); ok {
		t.Fatal("the identity copy is cached before anyone asked for it")
	}
	before := hits()
	body, tag, ok := s.Cached(tile, geo.Filter{}, true)
	if !ok || !bytes.Equal(body, gz) || tag != etag || hits() != before+1 {
		t.Fatalf("the gzipped copy: cached %v, same body %v, etag %s (want %s), hits %d (want %d)",
			ok, bytes.Equal(body, gz), tag, etag, hits(), before+1)
	}
	raw, _, err := s.Tile(ctx, tile, geo.Filter{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if body, _, ok := s.Cached(tile, geo.Filter{}, false); !ok || !bytes.Equal(body, raw) {
		t.Fatalf("the identity copy after Tile made it: cached %v", ok)
	}
	if _, _, ok := s.Cached(tile, window(t, "2022-01-01/2022-12-31"), true); ok {
		t.Fatal("another filter's tile is cached")
	}

	src.summaries = append(src.summaries, summary("b", -4.61, 14.31, "2022-03-27"))
	src.changes = append(src.changes, "b")
	if err := s.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	before = hits()
	if _, _, ok := s.Cached(tile, geo.Filter{}, true); ok || hits() != before {
		t.Fatalf("after a change to the tile: cached %v, hits %d (want %d)", ok, hits(), before)
	}
}
