package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// layeredTiles is Tiles with layerTiles and both caches: each answer names
// the tile and layer asked, and it remembers the last request; a copy is
// cached once Tile or LayerTile made it. One request at a time: the tests
// serve in their own goroutine.
type layeredTiles struct {
	last tileRequest
	made map[string]bool
	hits int
}

func newLayeredTiles() *layeredTiles { return &layeredTiles{made: map[string]bool{}} }

func (l *layeredTiles) NeedsDatabase(f geo.Filter) bool { return f.Query != "" }

func (l *layeredTiles) Tile(ctx context.Context, t maptile.Tile, f geo.Filter, gzipped bool) ([]byte, string, error) {
	return l.LayerTile(ctx, t, f, "", gzipped)
}

func (l *layeredTiles) LayerTile(_ context.Context, t maptile.Tile, f geo.Filter, layer string, gzipped bool) ([]byte, string, error) {
	l.last = tileRequest{tile: t, filter: f, layer: layer}
	body, etag := l.answer(t, layer, gzipped)
	l.made[etag+fmt.Sprint(gzipped)] = true
	return body, etag, nil
}

func (l *layeredTiles) Cached(t maptile.Tile, f geo.Filter, gzipped bool) ([]byte, string, bool) {
	return l.LayerCached(t, f, "", gzipped)
}

func (l *layeredTiles) LayerCached(t maptile.Tile, _ geo.Filter, layer string, gzipped bool) ([]byte, string, bool) {
	body, etag := l.answer(t, layer, gzipped)
	if !l.made[etag+fmt.Sprint(gzipped)] {
		return nil, "", false
	}
	l.hits++
	return body, etag, true
}

func (l *layeredTiles) answer(t maptile.Tile, layer string, gzipped bool) ([]byte, string) {
	name := fmt.Sprintf("%s %d/%d/%d", cmpOr(layer, "both"), t.Z, t.X, t.Y)
	etag := `"` + strings.NewReplacer(" ", "-", "/", "-").Replace(name) + `"`
	if gzipped {
		name = "gz " + name
	}
	return []byte(name), etag
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

func (l *layeredTiles) lastRequest() tileRequest { return l.last }

func ogcTileServer(tiles Tiles) *Server {
	return New(Config{Tiles: tiles, Incidents: incidentShelf{}, Places: gazetteer{}, Logger: quietLogger()})
}

// The tiles of OGC API - Tiles are the tile route's: {tileRow} is y and
// {tileCol} x, a collection's tile asks for its layer alone and the
// dataset's for both, with the filters of the query, and the answer has
// the tile route's headers. /tiles/{z}/{x}/{y}.mvt still answers beside.
func TestOGCTilesAreTheTileRoutesTiles(t *testing.T) {
	tiles := newLayeredTiles()
	s := ogcTileServer(tiles)
	for _, tc := range []struct {
		target, layer, body string
	}{
		{"/collections/incidents/tiles/WebMercatorQuad/10/470/498?datetime=2022-03-01/2022-03-31", "incidents", "gz incidents 10/498/470"},
		{"/collections/places/tiles/WebMercatorQuad/10/470/498?datetime=2022-03-01/2022-03-31", "places", "gz places 10/498/470"},
		{"/tiles/WebMercatorQuad/10/470/498?datetime=2022-03-01/2022-03-31", "", "gz both 10/498/470"},
		{"/tiles/10/498/470.mvt?datetime=2022-03-01/2022-03-31", "", "gz both 10/498/470"},
	} {
		w := get(t, s, tc.target, "Accept-Encoding", "gzip")
		if w.Code != http.StatusOK || w.Body.String() != tc.body {
			t.Errorf("%s: %d %q, want %q", tc.target, w.Code, w.Body, tc.body)
			continue
		}
		h := w.Header()
		if h.Get("Content-Type") != mediaMVT || h.Get("Content-Encoding") != "gzip" || h.Get("ETag") == "" ||
			h.Get("Cache-Control") != "public, no-cache" || h.Get("X-Accel-Expires") == "" {
			t.Errorf("%s: headers %v", tc.target, h)
		}
		last := tiles.lastRequest()
		if last.layer != tc.layer || last.tile != maptile.New(498, 470, 10) || last.filter.Time.Start == nil ||
			last.filter.Time.Start.Format(time.DateOnly) != "2022-03-01" {
			t.Errorf("%s: asked for layer %q, tile %v, window %v", tc.target, last.layer, last.tile, last.filter.Time)
		}
		if w := get(t, s, tc.target, "If-None-Match", h.Get("ETag")); w.Code != http.StatusNotModified {
			t.Errorf("%s revalidated: %d", tc.target, w.Code)
		}
	}
}

// Bad tile coordinates, tile matrix sets, collections and parameters are
// 400 or 404 with the JSON error body that names them; never 500.
func TestOGCTileErrorsNameTheirParameter(t *testing.T) {
	s := ogcTileServer(newLayeredTiles())
	for _, tc := range []struct {
		target    string
		status    int
		parameter string
	}{
		{"/tiles/WebMercatorQuad/x/0/0", http.StatusBadRequest, "tileMatrix"},
		{"/tiles/WebMercatorQuad/-1/0/0", http.StatusBadRequest, "tileMatrix"},
		{"/tiles/WebMercatorQuad/21/0/0", http.StatusNotFound, ""},
		{"/tiles/WebMercatorQuad/99999999999999999999/0/0", http.StatusBadRequest, "tileMatrix"},
		{"/tiles/WebMercatorQuad/10/1024/0", http.StatusNotFound, ""},
		{"/tiles/WebMercatorQuad/10/0/1024", http.StatusNotFound, ""},
		{"/tiles/WebMercatorQuad/10/1.5/0", http.StatusBadRequest, "tileRow"},
		{"/tiles/WebMercatorQuad/10/0/-3", http.StatusBadRequest, "tileCol"},
		{"/tiles/WebMercatorQuad/10/0", http.StatusNotFound, ""}, // falls to /tiles/{z}/{x}/{y}.mvt
		{"/collections/roads/tiles/WebMercatorQuad/1/0/0", http.StatusNotFound, ""},
		{"/collections/incidents/tiles/WorldCRS84Quad/1/0/0", http.StatusNotFound, ""},
		{"/collections/incidents/tiles/WorldCRS84Quad", http.StatusNotFound, ""},
		{"/collections/roads/tiles", http.StatusNotFound, ""},
		{"/tileMatrixSets/WorldCRS84Quad", http.StatusNotFound, ""},
		{"/collections/incidents/tiles/WebMercatorQuad/1/0/0?colour=red", http.StatusBadRequest, "colour"},
		{"/collections/incidents/tiles/WebMercatorQuad/1/0/0?datetime=tomorrow", http.StatusBadRequest, "datetime"},
		{"/collections/places/tiles/WebMercatorQuad/1/0/0?event_type=battles", http.StatusBadRequest, "event_type"},
		{"/collections/places/tiles/WebMercatorQuad?event_type=battles", http.StatusBadRequest, "event_type"},
		{"/collections/incidents/tiles?bbox=1,2", http.StatusBadRequest, "bbox"},
		{"/tiles/WebMercatorQuad?f=csv", http.StatusBadRequest, "f"},
		{"/tileMatrixSets?limit=3", http.StatusBadRequest, "limit"},
		{"/collections/incidents?datetime=tomorrow", http.StatusBadRequest, "datetime"},
		{"/collections/incidents?datetime=2022-03-01&datetime=2022-03-02", http.StatusBadRequest, "datetime"},
		{"/collections/incidents?filter=fatalities_best>", http.StatusBadRequest, "filter"},
		{"/collections/places?event_type=battles", http.StatusBadRequest, "event_type"},
		{"/collections/roads?datetime=2022-03-01", http.StatusNotFound, ""},
	} {
		for range 2 { // the second time, a kept parse would answer
			w := get(t, s, tc.target)
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != tc.status || err != nil || body.Parameter != tc.parameter {
				t.Errorf("%s: %d %s, want %d naming %q", tc.target, w.Code, w.Body, tc.status, tc.parameter)
			}
		}
	}
}

// A cached tile of OGC API - Tiles takes the fast path, and its answer,
// log line and metrics are Echo's, under its own route.
func TestFastOGCTilesAnswerAsEcho(t *testing.T) {
	var logs bytes.Buffer
	tiles := newLayeredTiles()
	s := New(Config{Tiles: tiles, Incidents: incidentShelf{}, Places: gazetteer{},
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return time.Unix(1796300000, 0) }})
	gzip := map[string]string{"Accept-Encoding": "gzip"}
	for _, target := range []string{
		"/collections/incidents/tiles/WebMercatorQuad/8/118/126?datetime=2022-01-01/2022-12-31",
		"/collections/places/tiles/WebMercatorQuad/8/118/126",
		"/tiles/WebMercatorQuad/8/118/126",
	} {
		ask(t, s, &logs, s, http.MethodGet, target, gzip) // parse it, cache the tile
		hits := tiles.hits
		fast := ask(t, s, &logs, s, http.MethodGet, target, gzip)
		if tiles.hits != hits+1 {
			t.Errorf("%s: the fast path did not answer", target)
		}
		echo := ask(t, s, &logs, s.echo, http.MethodGet, target, gzip)
		for _, a := range []*answer{&fast, &echo} {
			a.header.Del("X-Request-Id")
			delete(a.log, "id")
			delete(a.log, "time")
			delete(a.log, "latency")
		}
		if fast.status != echo.status || !bytes.Equal(fast.body, echo.body) ||
			!maps.EqualFunc(fast.header, echo.header, slices.Equal) {
			t.Errorf("%s: fast %d %v %q, Echo %d %v %q", target, fast.status, fast.header, fast.body, echo.status, echo.header, echo.body)
		}
		if !maps.Equal(fast.counted, echo.counted) || !maps.Equal(fast.log, echo.log) {
			t.Errorf("%s: fast counted %v logged %v; Echo %v, %v", target, fast.counted, fast.log, echo.counted, echo.log)
		}
		if len(echo.counted) != 1 || !strings.Contains(slices.Collect(maps.Keys(echo.counted))[0], ":tileMatrix/:tileRow/:tileCol") {
			t.Errorf("%s: counted %v, want one request of its route", target, echo.counted)
		}
	}
}

// WebMercatorQuad is the tile matrix set of the standard's annex, from
// tile matrix 0 to the deepest tile served.
func TestTileMatrixSetIsWebMercatorQuad(t *testing.T) {
	s := ogcTileServer(newLayeredTiles())
	var list struct {
		TileMatrixSets []struct {
			ID, URI string
			Links   []link
		}
	}
	decodeOK(t, get(t, s, "/tileMatrixSets"), &list)
	if len(list.TileMatrixSets) != 1 || list.TileMatrixSets[0].ID != "WebMercatorQuad" ||
		list.TileMatrixSets[0].URI != webMercatorQuadURI || !strings.HasSuffix(list.TileMatrixSets[0].Links[0].Href, "/tileMatrixSets/WebMercatorQuad") {
		t.Errorf("tile matrix sets: %+v", list)
	}
	var tms struct {
		ID, CRS      string
		TileMatrices []struct {
			ID                        string
			ScaleDenominator          float64
			CellSize                  float64
			PointOfOrigin             []float64
			MatrixWidth, MatrixHeight uint64
			TileWidth, TileHeight     int
		}
	}
	decodeOK(t, get(t, s, "/tileMatrixSets/WebMercatorQuad"), &tms)
	if tms.ID != "WebMercatorQuad" || tms.CRS != crs3857 || len(tms.TileMatrices) != maxTileMatrix+1 {
		t.Fatalf("WebMercatorQuad: %s %s, %d tile matrices", tms.ID, tms.CRS, len(tms.TileMatrices))
	}
	// Annex D.1 of OGC 17-083r4, tile matrices 0 and 18.
	for _, want := range []struct {
		z            int
		scale, cell  float64
		matrixHeight uint64
	}{{0, 559082264.028717, 156543.033928041, 1}, {18, 2132.72958384816, 0.597164283559817, 1 << 18}} {
		m := tms.TileMatrices[want.z]
		if m.ID != fmt.Sprint(want.z) || math.Abs(m.ScaleDenominator/want.scale-1) > 1e-9 || math.Abs(m.CellSize/want.cell-1) > 1e-9 ||
			m.MatrixWidth != want.matrixHeight || m.MatrixHeight != want.matrixHeight || m.TileWidth != 256 || m.TileHeight != 256 ||
			!slices.Equal(m.PointOfOrigin, []float64{-20037508.3427892, 20037508.3427892}) {
			t.Errorf("tile matrix %d: %+v", want.z, m)
		}
	}
	// The members of TMS 1.0 too, which GDAL 3.6 reads to parse the set.
	var v1 struct {
		Identifier, SupportedCRS string
		TileMatrices             []struct {
			Identifier    string
			TopLeftCorner []float64
		}
	}
	decodeOK(t, get(t, s, "/tileMatrixSets/WebMercatorQuad"), &v1)
	if v1.Identifier != "WebMercatorQuad" || v1.SupportedCRS != crs3857 || v1.TileMatrices[3].Identifier != "3" ||
		!slices.Equal(v1.TileMatrices[3].TopLeftCorner, []float64{-20037508.3427892, 20037508.3427892}) {
		t.Errorf("WebMercatorQuad lacks its TMS 1.0 members: %+v", v1)
	}
}

// The collection, the tilesets list and the tileset metadata link one
// another, the tile matrix set and the tiles, carrying the request's
// filters into the links as TileJSON carries them into its tiles URL. A
// filter given twice with one value (GDAL's OGCAPI driver appends its own
// query to links that carry it) is that filter.
func TestTilesetsLinkTheirTilesWithTheFilters(t *testing.T) {
	s := ogcTileServer(newLayeredTiles())
	const query = "?datetime=2022-03-01%2F2022-03-31&event_type=battles"
	var collection struct{ Links []link }
	decodeOK(t, get(t, s, "/collections/incidents"+query+"&datetime=2022-03-01/2022-03-31"), &collection)
	if !strings.HasSuffix(hrefOf(collection.Links, relTilesetsVector), "/collections/incidents/tiles"+query) ||
		!strings.HasSuffix(hrefOf(collection.Links, "self"), "/collections/incidents"+query) {
		t.Errorf("the collection's links: %+v", collection.Links)
	}
	var list struct {
		Links    []link
		Tilesets []struct {
			DataType, CRS, TileMatrixSetURI string
			Links                           []link
		}
	}
	decodeOK(t, get(t, s, "/collections/incidents/tiles"+query), &list)
	if len(list.Tilesets) != 1 || list.Tilesets[0].DataType != "vector" || list.Tilesets[0].CRS != crs3857 ||
		list.Tilesets[0].TileMatrixSetURI != webMercatorQuadURI {
		t.Fatalf("tilesets: %+v", list)
	}
	self := hrefOf(list.Tilesets[0].Links, "self")
	if !strings.HasSuffix(self, "/collections/incidents/tiles/WebMercatorQuad"+query) ||
		!strings.HasSuffix(hrefOf(list.Tilesets[0].Links, relTilingScheme), "/tileMatrixSets/WebMercatorQuad") {
		t.Errorf("tileset links: %+v", list.Tilesets[0].Links)
	}

	var meta struct {
		DataType, CRS, TileMatrixSetURI string
		Links                           []struct {
			link
			Templated bool
		}
		Layers []struct {
			ID, DataType     string
			MaxTileMatrix    string
			PropertiesSchema struct {
				Properties map[string]struct{ Type string }
			}
		}
	}
	decodeOK(t, get(t, s, "/collections/incidents/tiles/WebMercatorQuad"+query), &meta)
	var item link
	for _, l := range meta.Links {
		if l.Rel == "item" && l.Templated {
			item = l.link
		}
	}
	if !strings.HasSuffix(item.Href, "/collections/incidents/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"+query) ||
		item.Type != mediaMVT {
		t.Errorf("tile template: %+v", item)
	}
	if len(meta.Layers) != 1 || meta.Layers[0].ID != "incidents" || meta.Layers[0].MaxTileMatrix != "20" ||
		meta.Layers[0].PropertiesSchema.Properties["fatalities_best"].Type != "number" {
		t.Errorf("layers: %+v", meta.Layers)
	}

	decodeOK(t, get(t, s, "/tiles/WebMercatorQuad"), &meta)
	if len(meta.Layers) != 2 || meta.Layers[0].ID != "incidents" || meta.Layers[1].ID != "places" {
		t.Errorf("the dataset's layers: %+v", meta.Layers)
	}
	decodeOK(t, get(t, s, "/collections/places/tiles/WebMercatorQuad?datetime=2022-04-30"), &meta)
	if len(meta.Layers) != 1 || meta.Layers[0].ID != "places" || meta.Layers[0].PropertiesSchema.Properties["holder"].Type != "string" {
		t.Errorf("the places' layers: %+v", meta.Layers)
	}
}

// The landing page, the conformance classes and each collection point to
// the tiles when tiles are served, and not otherwise.
func TestTilesAreAdvertisedOnlyWhenServed(t *testing.T) {
	for _, served := range []bool{true, false} {
		cfg := Config{Incidents: incidentShelf{}, Places: gazetteer{}, Logger: quietLogger()}
		if served {
			cfg.Tiles = newLayeredTiles()
		}
		s := New(cfg)
		var landing struct{ Links []link }
		decodeOK(t, get(t, s, "/?f=json"), &landing)
		var conformance struct{ ConformsTo []string }
		decodeOK(t, get(t, s, "/conformance?f=json"), &conformance)
		var collection struct{ Links []link }
		decodeOK(t, get(t, s, "/collections/places?f=json"), &collection)
		got := []bool{
			strings.HasSuffix(hrefOf(landing.Links, relTilesetsVector), "/tiles"),
			strings.HasSuffix(hrefOf(landing.Links, relTilingSchemes), "/tileMatrixSets"),
			strings.HasSuffix(hrefOf(collection.Links, relTilesetsVector), "/collections/places/tiles"),
		}
		for _, class := range tileConformance {
			got = append(got, slices.Contains(conformance.ConformsTo, class))
		}
		for i, g := range got {
			if g != served {
				t.Errorf("tiles served %v: advertisement %d is %v", served, i, g)
			}
		}
		if w := get(t, s, "/tileMatrixSets"); served != (w.Code == http.StatusOK) {
			t.Errorf("tiles served %v: /tileMatrixSets answers %d", served, w.Code)
		}
	}
}

// The limits of a tileset are the tiles its extent touches.
func TestTileMatrixLimitsHoldTheExtent(t *testing.T) {
	box := geo.BBox{MinLon: -8.08, MinLat: 12.75, MaxLon: 2.39, MaxLat: 15.92}
	limits := tileMatrixLimits(box)
	if len(limits) != maxTileMatrix+1 {
		t.Fatalf("%d limits", len(limits))
	}
	for _, z := range []maptile.Zoom{0, 5, 10, 20} {
		nw, se := maptile.At(orb.Point{box.MinLon, box.MaxLat}, z), maptile.At(orb.Point{box.MaxLon, box.MinLat}, z)
		want := tileLimits{TileMatrix: fmt.Sprint(z), MinTileRow: nw.Y, MaxTileRow: se.Y, MinTileCol: nw.X, MaxTileCol: se.X}
		if limits[z] != want {
			t.Errorf("tile matrix %d: %+v, want %+v", z, limits[z], want)
		}
	}
}

// Tiles, and only tiles, skip the gzip middleware, log quietly and may be
// rate limited: by path and by route.
func TestTilePathsAreTheTiles(t *testing.T) {
	for p, want := range map[string]bool{
		"/tiles/8/126/118.mvt": true, "/tiles/:z/:x/:y": true, "/tiles/basemap/3/3/3.mvt": true,
		"/tiles/WebMercatorQuad/8/118/126": true, "/collections/places/tiles/WebMercatorQuad/8/118/126": true,
		"/collections/:collection/tiles/WebMercatorQuad/:tileMatrix/:tileRow/:tileCol": true,
		"/tiles/WebMercatorQuad": false, "/tiles": false, "/tiles.json": false, "/collections/incidents/tiles": false,
		"/collections/incidents/tiles/WebMercatorQuad": false, "/tileMatrixSets/WebMercatorQuad": false,
	} {
		if isTilePath(p) != want {
			t.Errorf("isTilePath(%q) = %v", p, !want)
		}
	}
}

func decodeOK(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatal(err)
	}
}

func hrefOf(links []link, rel string) string {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}
