package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/maptile"

	"incidentmap/internal/testenv/testapp"
	"incidentmap/tiles"
)

// On the whole program, the tile matrix set reaches exactly as deep as the
// tile service, each tileset's limits hold the data, and no hostile value
// of any parameter of OGC API - Tiles gets a 5xx.
func TestOGCAPITilesOfTheApp(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	var tms struct{ TileMatrices []struct{ ID string } }
	a.GetJSON(t, "/tileMatrixSets/WebMercatorQuad", http.StatusOK, &tms)
	if n := len(tms.TileMatrices); n != tiles.MaxZoom+1 || tms.TileMatrices[n-1].ID != strconv.Itoa(tiles.MaxZoom) {
		t.Errorf("%d tile matrices, want 0 to tiles.MaxZoom (%d)", n, tiles.MaxZoom)
	}
	deepest := maptile.At(moura, tiles.MaxZoom)
	for z, want := range map[int]int{tiles.MaxZoom: http.StatusOK, tiles.MaxZoom + 1: http.StatusNotFound} {
		path := "/collections/incidents/tiles/WebMercatorQuad/" + strconv.Itoa(z) + "/" +
			strconv.Itoa(int(deepest.Y)) + "/" + strconv.Itoa(int(deepest.X))
		if res, body := a.Get(t, path); res.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", path, res.StatusCode, body, want)
		}
	}

	var meta struct {
		TileMatrixSetLimits []struct {
			TileMatrix                                     string
			MinTileRow, MaxTileRow, MinTileCol, MaxTileCol uint32
		}
	}
	a.GetJSON(t, "/collections/incidents/tiles/WebMercatorQuad", http.StatusOK, &meta)
	if len(meta.TileMatrixSetLimits) != tiles.MaxZoom+1 {
		t.Fatalf("%d tile matrix limits", len(meta.TileMatrixSetLimits))
	}
	at10 := maptile.At(moura, 10)
	if l := meta.TileMatrixSetLimits[10]; at10.Y < l.MinTileRow || at10.Y > l.MaxTileRow || at10.X < l.MinTileCol || at10.X > l.MaxTileCol {
		t.Errorf("the limits of tile matrix 10 %+v leave out Moura's tile %v", l, at10)
	}

	routes := map[string][]string{
		"/tileMatrixSets":                                      {"f"},
		"/tileMatrixSets/WebMercatorQuad":                      {"f"},
		"/tiles":                                               {"f", "datetime", "event_type", "q"},
		"/tiles/WebMercatorQuad":                               {"f", "datetime", "bbox", "country"},
		"/tiles/WebMercatorQuad/5/14/15":                       {"datetime", "bbox", "min_fatalities", "as_of"},
		"/collections/incidents/tiles":                         {"f", "datetime", "actor"},
		"/collections/incidents/tiles/WebMercatorQuad":         {"f", "datetime", "sub_event_type"},
		"/collections/incidents/tiles/WebMercatorQuad/5/14/15": {"datetime", "bbox", "event_type", "q"},
		"/collections/places/tiles/WebMercatorQuad":            {"f", "datetime"},
		"/collections/places/tiles/WebMercatorQuad/5/14/15":    {"datetime"},
	}
	for route, params := range routes {
		for _, p := range append(params, "undefined_param") {
			for _, v := range hostileValues {
				res, body := a.Get(t, route+"?"+url.Values{p: {v}}.Encode())
				if res.StatusCode >= 500 || res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("%s=%.40q on %s: %d %s %.200s", p, v, route, res.StatusCode, res.Header.Get("Content-Type"), body)
				}
			}
		}
	}
	for _, v := range hostileValues {
		for _, path := range []string{"/collections/" + url.PathEscape(v) + "/tiles/WebMercatorQuad/1/0/0",
			"/tiles/WebMercatorQuad/" + url.PathEscape(v) + "/0/0", "/collections/places/tiles/WebMercatorQuad/1/" + url.PathEscape(v) + "/0"} {
			if res, body := a.Get(t, path); res.StatusCode >= 500 {
				t.Errorf("%s: %d %.200s", path, res.StatusCode, body)
			}
		}
	}
}
