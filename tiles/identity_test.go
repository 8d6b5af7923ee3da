package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

func gunzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestIdentityCopyIsTheGunzippedTileMadeOncePerCachedTile(t *testing.T) {
	src := &memorySource{summaries: []geo.Summary{summary("a", -4.6, 14.3, "2022-03-27")}}
	s := loaded(t, src)
	tile := maptile.At(orb.Point{-4.6, 14.3}, 10)
	ctx := context.Background()

	gz, gzTag, err := s.Tile(ctx, tile, geo.Filter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	_, before := s.cache.stats()
	first, firstTag, err := s.Tile(ctx, tile, geo.Filter{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, gunzip(t, gz)) {
		t.Fatal("the identity copy is not the gunzipped tile")
	}
	if firstTag != gzTag {
		t.Errorf("entity tags differ: %s identity, %s gzipped", firstTag, gzTag)
	}
	if _, after := s.cache.stats(); after != before+len(first) {
		t.Errorf("cache bytes %d after the identity copy, want %d + %d", after, before, len(first))
	}
	second, _, err := s.Tile(ctx, tile, geo.Filter{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(second, first) {
		t.Fatal("the second identity answer differs from the first")
	}
	if n := s.gunzips.Load(); n != 1 {
		t.Errorf("%d gunzips for two identity answers of one cached tile, want 1", n)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _, _ = s.Tile(ctx, tile, geo.Filter{}, false) })
	gzAllocs := testing.AllocsPerRun(100, func() { _, _, _ = s.Tile(ctx, tile, geo.Filter{}, true) })
	if allocs > gzAllocs {
		t.Errorf("a cached identity answer allocates %.0f times, a gzipped one %.0f: it is not a lookup", allocs, gzAllocs)
	}

	t.Run("a change drops the identity copy with its tile", func(t *testing.T) {
		src.summaries = append(src.summaries, summary("b", -4.61, 14.31, "2022-03-27"))
		src.changes = append(src.changes, "b")
		if err := s.refresh(ctx); err != nil {
			t.Fatal(err)
		}
		gz, _, err := s.Tile(ctx, tile, geo.Filter{}, true)
		if err != nil {
			t.Fatal(err)
		}
		raw, _, err := s.Tile(ctx, tile, geo.Filter{}, false)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(raw, first) || !bytes.Equal(raw, gunzip(t, gz)) {
			t.Error("the identity answer after a change is not the new tile")
		}
	})
}

func TestIdentityCopiesCountInTheBudget(t *testing.T) {
	c := newCache(1 << 20)
	tile := maptile.New(1, 1, 2)
	c.put("k", tile, 0, Tile{Gzip: make([]byte, 1000), ETag: `"x"`})
	_, before := c.stats()
	c.addIdentity("k", `"other"`, make([]byte, 3000))
	if _, now := c.stats(); now != before {
		t.Errorf("a copy of another version of the tile was kept (%d bytes, was %d)", now, before)
	}
	c.addIdentity("k", `"x"`, make([]byte, 3000))
	if _, now := c.stats(); now != before+3000 {
		t.Errorf("%d bytes with the identity copy, want %d", now, before+3000)
	}
	c.remove(c.entries["k"])
	if n, used := c.stats(); n != 0 || used != 0 {
		t.Errorf("after removing the entry: %d entries, %d bytes", n, used)
	}
}

func TestConcurrentIdentityRequestsShareOneGunzip(t *testing.T) {
	s := loaded(t, &memorySource{summaries: []geo.Summary{summary("a", -4.6, 14.3, "2022-03-27")}})
	tile := maptile.At(orb.Point{-4.6, 14.3}, 10)
	ctx := context.Background()
	gz, _, err := s.Tile(ctx, tile, geo.Filter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := gunzip(t, gz)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Go(func() {
			for range 50 {
				body, _, err := s.Tile(ctx, tile, geo.Filter{}, i%2 == 0)
				if err != nil || (i%2 == 1 && !bytes.Equal(body, want)) || (i%2 == 0 && !bytes.Equal(body, gz)) {
					errs <- fmt.Sprintf("goroutine %d: wrong answer (%v)", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := s.gunzips.Load(); n != 1 {
		t.Errorf("%d gunzips for one cached tile asked 400 times without gzip, want 1", n)
	}
}
