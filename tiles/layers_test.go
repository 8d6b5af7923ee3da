package tiles

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// A collection's tile holds its layer alone, is cached apart from the tile
// of both layers, and an unknown layer is not found.
func TestLayerTilesHoldOneLayerCachedApart(t *testing.T) {
	moura := orb.Point{-4.6, 14.3}
	src := &memorySource{summaries: []geo.Summary{summary("a", moura[0], moura[1], "2022-03-27")},
		places: []geo.Place{{ID: "moura", Name: "Moura", Kind: "village", Point: orb.Point{-4.61, 14.31}, GeoPrecision: "exact"}}}
	s := loaded(t, src)
	tile := maptile.At(moura, 10)
	ctx := context.Background()

	etags := map[string]string{}
	for _, layer := range []string{"", IncidentsLayer, PlacesLayer} {
		gz, etag, err := s.LayerTile(ctx, tile, geo.Filter{}, layer, true)
		if err != nil {
			t.Fatalf("layer %q: %v", layer, err)
		}
		etags[layer] = etag
		var names []string
		for name, l := range layersByName(t, gz) {
			names = append(names, name)
			if len(l.Features) != 1 {
				t.Errorf("layer %q: %s has %d features, want 1", layer, name, len(l.Features))
			}
		}
		slices.Sort(names)
		want := []string{IncidentsLayer, PlacesLayer}
		if layer != "" {
			want = []string{layer}
		}
		if !slices.Equal(names, want) {
			t.Errorf("layer %q: the tile holds %v, want %v", layer, names, want)
		}
		if body, tag, ok := s.LayerCached(tile, geo.Filter{}, layer, true); !ok || tag != etag || len(body) != len(gz) {
			t.Errorf("layer %q: cached %v, etag %s (want %s)", layer, ok, tag, etag)
		}
		raw, tag, err := s.LayerTile(ctx, tile, geo.Filter{}, layer, false)
		if err != nil || tag != etag || len(raw) == 0 {
			t.Errorf("layer %q, identity: %d bytes, etag %s (want %s), %v", layer, len(raw), tag, etag, err)
		}
	}
	if etags[""] == etags[IncidentsLayer] || etags[""] == etags[PlacesLayer] || etags[IncidentsLayer] == etags[PlacesLayer] {
		t.Errorf("one etag for different tiles: %v", etags)
	}
	if _, _, err := s.Tile(ctx, tile, geo.Filter{}, true); err != nil {
		t.Fatal(err)
	}
	if _, etag, _ := s.Tile(ctx, tile, geo.Filter{}, true); etag != etags[""] {
		t.Errorf("Tile after LayerTile: etag %s, want both layers' %s", etag, etags[""])
	}

	var gerr *geo.Error
	if _, _, err := s.LayerTile(ctx, tile, geo.Filter{}, "roads", true); !errors.As(err, &gerr) || gerr.Code != geo.ENotFound {
		t.Errorf("an unknown layer: %v, want ENotFound", err)
	}
	if _, _, ok := s.LayerCached(tile, geo.Filter{}, "roads", true); ok {
		t.Error("an unknown layer is cached")
	}
}
