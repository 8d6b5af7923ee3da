package tiles

import (
	"testing"

	"github.com/paulmach/orb/maptile"

	"incidentmap/cql2"
	"incidentmap/geo"
)

// A CQL2 filter is part of a tile's cache key, by its canonical text: the
// same filter in cql2-text and cql2-json shares one entry, another filter
// does not.
func TestCacheKeysHoldTheCQLFilter(t *testing.T) {
	parse := func(filter, lang string) geo.Filter {
		f, err := cql2.ParseParams(filter, lang, "", true, cql2.IncidentQueryables)
		if err != nil {
			t.Fatal(err)
		}
		return geo.Filter{CQL: f}
	}
	tile := maptile.New(126, 118, 8)
	text := cacheKey(tile, parse(`country = 'ML'`, ""))
	json := cacheKey(tile, parse(`{"op":"=","args":[{"property":"country"},"ML"]}`, cql2.LangJSON))
	other := cacheKey(tile, parse(`country = 'BF'`, ""))
	if text != json || text == other || text == cacheKey(tile, geo.Filter{}) {
		t.Errorf("keys: text %q, json %q, other %q", text, json, other)
	}
}
