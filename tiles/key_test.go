package tiles

import (
	"testing"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

func TestCacheKeysNameTheTileAndTheFilter(t *testing.T) {
	tile := maptile.New(126, 118, 8)
	march, may := window(t, "2022-03-01/2022-03-31"), window(t, "2022-05-01/2022-05-31")
	if got, want := cacheKey(tile, march), "8/126/118|1646092800.0/1648771200.0"; got != want {
		t.Errorf("key %q, want %q", got, want)
	}
	if cacheKey(tile, window(t, "2022-03-01T01:00:00+01:00/2022-03-31T23:59:59.999999Z")) != cacheKey(tile, march) {
		t.Error("two spellings of one window have different keys")
	}
	if got, want := cacheKey(tile, geo.Filter{}), "8/126/118|../.."; got != want {
		t.Errorf("key of the open window %q, want %q", got, want)
	}
	battles := march
	battles.EventTypes = []string{"protests", "battles"}
	swapped := march
	swapped.EventTypes = []string{"battles", "protests"}
	keys := map[string]string{
		"march": cacheKey(tile, march), "may": cacheKey(tile, may), "battles": cacheKey(tile, battles),
		"other tile": cacheKey(maptile.New(126, 119, 8), march),
	}
	seen := map[string]string{}
	for name, k := range keys {
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s share the key %q", name, other, k)
		}
		seen[k] = name
	}
	if cacheKey(tile, swapped) != keys["battles"] {
		t.Error("the order of the event types changes the key")
	}
	if n := testing.AllocsPerRun(100, func() { cacheKey(tile, march) }); n > 1 {
		t.Errorf("the key of a tile with a window takes %.0f allocations, want 1", n)
	}
}
