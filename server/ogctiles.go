package server

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// OGC API - Tiles (OGC 20-057) over the tiles of the tile route: one tile
// matrix set, WebMercatorQuad, and vector tilesets of the dataset (both
// layers, at /tiles) and of each collection (its own layer alone, as a
// geodata tileset is a tiling of that one collection). A tile of either is
// answered by serveTile (tiles.go) like /tiles/{z}/{x}/{y}.mvt, with the
// same filters, cache, ETag and fast path; tileRow is y and tileCol is x.

const (
	webMercatorQuad    = "WebMercatorQuad"
	webMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	crs3857            = "http://www.opengis.net/def/crs/EPSG/0/3857"

	relTilingScheme   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relTilingSchemes  = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	relTilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relGeodata        = "http://www.opengis.net/def/rel/ogc/1.0/geodata"
	relDataset        = "http://www.opengis.net/def/rel/ogc/1.0/dataset"

	// maxTileMatrix is the deepest tile matrix served: tiles.MaxZoom (a
	// test holds them equal).
	maxTileMatrix = 20
)

// tileConformance are the OGC API - Tiles classes the server passes when
// it serves tiles.
var tileConformance = []string{
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
}

// placeTileParams are the query parameters of the places' tiles: the
// places layer is the same whatever incidents a filter selects, and only
// the window's end (the holders then) changes it.
var placeTileParams = []string{"datetime"}

// ogcTileRoutes are the routes of OGC API - Tiles, when tiles are served.
// The static WebMercatorQuad segment wins over /tiles/{z}/{x}/{y}.mvt.
func (s *Server) ogcTileRoutes() {
	if s.tiles == nil {
		return
	}
	s.echo.GET("/tileMatrixSets", s.tileMatrixSets)
	s.echo.GET("/tileMatrixSets/:tileMatrixSet", s.tileMatrixSet)
	s.echo.GET("/tiles", s.tilesets)
	s.echo.GET("/tiles/"+webMercatorQuad, s.tilesetMetadata)
	s.echo.GET("/tiles/"+webMercatorQuad+"/:tileMatrix/:tileRow/:tileCol", s.ogcTile)
	s.echo.GET("/collections/:collection/tiles", s.tilesets)
	s.echo.GET("/collections/:collection/tiles/"+webMercatorQuad, s.tilesetMetadata)
	s.echo.GET("/collections/:collection/tiles/"+webMercatorQuad+"/:tileMatrix/:tileRow/:tileCol", s.ogcTile)
}

// isTilePath reports whether a request path or route is a tile's: the
// tile route's, the basemap's, or OGC API - Tiles' (not their metadata).
// Tiles come gzipped (the gzip middleware leaves them), log quietly, and
// those PostGIS builds are rate limited.
func isTilePath(p string) bool {
	return strings.HasPrefix(p, "/tiles/") && p != "/tiles/"+webMercatorQuad ||
		strings.Contains(p, "/tiles/"+webMercatorQuad+"/")
}

// tileset is one tileset: the dataset's or one collection's.
type tileset struct {
	path        string           // from the base URL: /tiles or /collections/{id}/tiles
	layer       string           // "" for both layers
	params      []string         // the query parameters (filters) its tiles take
	collections []collectionInfo // the collections its layers show
	title       string
}

// findTileset is the tileset of the request's collection (the dataset's
// when the route has none); an unknown collection is not found.
func (s *Server) findTileset(c echo.Context) (tileset, error) {
	id := c.Param("collection")
	if id == "" {
		return tileset{path: "/tiles", params: tileParams, collections: s.collectionInfos(),
			title: "Incidents and places"}, nil
	}
	ci, err := s.findCollection(id)
	if err != nil {
		return tileset{}, err
	}
	ts := tileset{path: "/collections/" + ci.id + "/tiles", layer: ci.id, params: tileParams,
		collections: []collectionInfo{ci}, title: ci.title}
	if ci.id == "places" {
		ts.params = placeTileParams
	}
	return ts, nil
}

// ogcTile answers {tileset}/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}.
func (s *Server) ogcTile(c echo.Context) error {
	return s.serveTile(c, s.ogcAddress)
}

// ogcAddress reads the tileset and the tile of an OGC API - Tiles path (a
// tileAddress).
func (s *Server) ogcAddress(c echo.Context) (maptile.Tile, string, []string, error) {
	ts, err := s.findTileset(c)
	if err != nil {
		return maptile.Tile{}, "", nil, err
	}
	t, err := parseTileMatrix(c.Param("tileMatrix"), c.Param("tileRow"), c.Param("tileCol"))
	return t, ts.layer, ts.params, err
}

// parseTileMatrix reads a WebMercatorQuad tile: non-numbers are 400,
// tiles outside the tile matrix set are 404, each naming its parameter.
func parseTileMatrix(tileMatrix, tileRow, tileCol string) (maptile.Tile, error) {
	z, err := strconv.ParseUint(tileMatrix, 10, 32)
	if err != nil {
		return maptile.Tile{}, geo.Invalid("tileMatrix", "%q is not a tile matrix of %s (0 to %d)", safe(tileMatrix), webMercatorQuad, maxTileMatrix)
	}
	if z > maxTileMatrix {
		return maptile.Tile{}, geo.NotFound("no tile matrix %d in %s (0 to %d)", z, webMercatorQuad, maxTileMatrix)
	}
	var rc [2]uint64
	for i, p := range []struct{ name, v string }{{"tileRow", tileRow}, {"tileCol", tileCol}} {
		v, err := strconv.ParseUint(p.v, 10, 32)
		if err != nil {
			return maptile.Tile{}, geo.Invalid(p.name, "%q is not a tile index (a non-negative integer)", safe(p.v))
		}
		if v >= 1<<z {
			return maptile.Tile{}, geo.NotFound("no %s %d in tile matrix %d (0 to %d)", p.name, v, z, 1<<z-1)
		}
		rc[i] = v
	}
	return maptile.New(uint32(rc[1]), uint32(rc[0]), maptile.Zoom(z)), nil
}

// tilesetRequest reads a request for a tileset's metadata: the tileset,
// the base URL and the query to carry into its links (tilesetQuery).
func (s *Server) tilesetRequest(c echo.Context) (ts tileset, base, query string, err error) {
	if ts, err = s.findTileset(c); err != nil {
		return ts, "", "", err
	}
	if query, err = tilesetQuery(c, ts); err != nil {
		return ts, "", "", err
	}
	return ts, s.baseURL(c), query, nil
}

// tilingSchemeLink is the link to WebMercatorQuad's definition.
func tilingSchemeLink(base string) link {
	return link{Href: base + "/tileMatrixSets/" + webMercatorQuad, Rel: relTilingScheme, Type: mediaJSON, Title: "The tile matrix set " + webMercatorQuad}
}

// tilesetQuery checks the query of a tileset's metadata (f=json and the
// filters its tiles take) and returns the filters, to carry into its links
// as the tile route's TileJSON does: "" or "?" and the query.
func tilesetQuery(c echo.Context, ts tileset) (string, error) {
	q := c.QueryParams()
	if err := checkParams(q, append(slices.Clone(onlyFormat), ts.params...)); err != nil {
		return "", err
	}
	if _, err := negotiate(c, fJSON); err != nil {
		return "", err
	}
	return tileFilterQuery(q, ts.params)
}

// tileFilterQuery checks the filters in q and returns those named in params
// (the filters a tileset's tiles take), to carry into links: "" or "?" and
// the query. checkParams has refused whatever else q holds.
func tileFilterQuery(q url.Values, params []string) (string, error) {
	if _, err := parseFilter(q); err != nil {
		return "", err
	}
	carried := url.Values{}
	for _, name := range params {
		if q.Has(name) {
			carried.Set(name, q.Get(name))
		}
	}
	if len(carried) == 0 {
		return "", nil
	}
	return "?" + carried.Encode(), nil
}

// tilesets answers /tiles and /collections/{id}/tiles: the list of
// tilesets (one, in WebMercatorQuad).
func (s *Server) tilesets(c echo.Context) error {
	ts, base, query, err := s.tilesetRequest(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, map[string]any{
		"links": []link{{Href: base + ts.path + query, Rel: "self", Type: mediaJSON, Title: "This list of tilesets"}},
		"tilesets": []map[string]any{{
			"title": ts.title + " (" + webMercatorQuad + ")", "dataType": "vector", "crs": crs3857,
			"tileMatrixSetURI": webMercatorQuadURI,
			"links": []link{
				{Href: base + ts.path + "/" + webMercatorQuad + query, Rel: "self", Type: mediaJSON, Title: "The tileset"},
				tilingSchemeLink(base),
			},
		}},
	})
}

// tilesetMetadata answers {tileset}/WebMercatorQuad: the tileset metadata
// (2D Tile Matrix Set and Tileset Metadata 2.0) with the template of its
// tiles, the limits of the data's extent and the layers.
func (s *Server) tilesetMetadata(c echo.Context) error {
	ts, base, query, err := s.tilesetRequest(c)
	if err != nil {
		return err
	}
	self := base + ts.path + "/" + webMercatorQuad
	links := []link{
		{Href: self + query, Rel: "self", Type: mediaJSON, Title: "This tileset"},
		tilingSchemeLink(base),
		{Href: base + "/", Rel: relDataset, Type: mediaJSON, Title: "The dataset"},
	}
	var layers []map[string]any
	var extent *geo.BBox
	for _, ci := range ts.collections {
		ext, err := ci.extent(c.Request().Context())
		if err != nil {
			return err
		}
		extent = unionBBox(extent, ext.BBox)
		collection := base + "/collections/" + ci.id
		if ts.layer != "" {
			links = append(links, link{Href: collection, Rel: relGeodata, Type: mediaJSON, Title: ci.title})
		}
		layers = append(layers, tileLayer(ci, collection, ext.BBox))
	}
	doc := map[string]any{
		"title": ts.title, "dataType": "vector", "crs": crs3857, "tileMatrixSetURI": webMercatorQuadURI,
		"mediaTypes": []string{mediaMVT}, "layers": layers,
		"links": append([]any{tileTemplateLink(self + "/{tileMatrix}/{tileRow}/{tileCol}" + query)}, anySlice(links)...),
	}
	if extent != nil {
		doc["boundingBox"] = crs84Box(*extent)
		doc["tileMatrixSetLimits"] = tileMatrixLimits(*extent)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, doc)
}

// templatedLink is a link whose href is a URI template.
type templatedLink struct {
	link
	Templated bool `json:"templated"`
}

// anySlice is links as a list of any, to join a templated link.
func anySlice(links []link) []any {
	out := make([]any, len(links))
	for i, l := range links {
		out[i] = l
	}
	return out
}

func tileTemplateLink(href string) templatedLink {
	return templatedLink{link: link{Href: href, Rel: "item", Type: mediaMVT, Title: "Mapbox Vector Tiles"}, Templated: true}
}

// tileLayer describes the tile layer of collection ci, with the properties
// the tile route's TileJSON lists.
func tileLayer(ci collectionInfo, href string, box *geo.BBox) map[string]any {
	fields := incidentTileFields
	if ci.id == "places" {
		fields = placeTileFields
	}
	props := map[string]any{}
	for name, desc := range fields {
		kind, text, _ := strings.Cut(desc, ": ")
		prop := map[string]any{"type": strings.ToLower(kind)}
		if text != "" {
			prop["description"] = text
		}
		props[name] = prop
	}
	layer := map[string]any{
		"id": ci.id, "title": ci.title, "description": ci.description, "dataType": "vector",
		"minTileMatrix": "0", "maxTileMatrix": strconv.Itoa(maxTileMatrix),
		"links":            []link{{Href: href, Rel: relGeodata, Type: mediaJSON, Title: ci.title}},
		"propertiesSchema": map[string]any{"type": "object", "properties": props},
	}
	if box != nil {
		layer["boundingBox"] = crs84Box(*box)
	}
	return layer
}

// unionBBox is the box around a and b; nil when both are.
func unionBBox(a, b *geo.BBox) *geo.BBox {
	switch {
	case b == nil:
		return a
	case a == nil:
		u := *b
		return &u
	}
	return &geo.BBox{MinLon: math.Min(a.MinLon, b.MinLon), MinLat: math.Min(a.MinLat, b.MinLat),
		MaxLon: math.Max(a.MaxLon, b.MaxLon), MaxLat: math.Max(a.MaxLat, b.MaxLat)}
}

// crs84Box is a 2D bounding box (2D TMS 2.0) in CRS84.
func crs84Box(b geo.BBox) map[string]any {
	return map[string]any{"lowerLeft": []float64{b.MinLon, b.MinLat}, "upperRight": []float64{b.MaxLon, b.MaxLat}, "crs": crs84}
}

// tileLimits are the rows and columns of one tile matrix that hold data.
type tileLimits struct {
	TileMatrix string `json:"tileMatrix"`
	MinTileRow uint32 `json:"minTileRow"`
	MaxTileRow uint32 `json:"maxTileRow"`
	MinTileCol uint32 `json:"minTileCol"`
	MaxTileCol uint32 `json:"maxTileCol"`
}

// tileMatrixLimits are the tiles of every tile matrix that b touches.
func tileMatrixLimits(b geo.BBox) []tileLimits {
	limits := make([]tileLimits, 0, maxTileMatrix+1)
	for z := range maxTileMatrix + 1 {
		n := float64(uint64(1) << z)
		index := func(world float64) uint32 { return uint32(math.Min(n-1, math.Max(0, math.Floor(world*n)))) }
		limits = append(limits, tileLimits{TileMatrix: strconv.Itoa(z),
			MinTileRow: index(geo.MercatorY(b.MaxLat)), MaxTileRow: index(geo.MercatorY(b.MinLat)),
			MinTileCol: index(geo.MercatorX(b.MinLon)), MaxTileCol: index(geo.MercatorX(b.MaxLon))})
	}
	return limits
}

// tileMatrixSets answers /tileMatrixSets: the one tile matrix set.
func (s *Server) tileMatrixSets(c echo.Context) error {
	if err := checkParams(c.QueryParams(), onlyFormat); err != nil {
		return err
	}
	if _, err := negotiate(c, fJSON); err != nil {
		return err
	}
	base := s.baseURL(c)
	return c.JSON(http.StatusOK, map[string]any{
		"links": []link{{Href: base + "/tileMatrixSets", Rel: "self", Type: mediaJSON, Title: "The tile matrix sets"}},
		"tileMatrixSets": []map[string]any{{
			"id": webMercatorQuad, "title": webMercatorQuadDoc["title"], "uri": webMercatorQuadURI,
			"links": []link{tilingSchemeLink(base)},
		}},
	})
}

// tileMatrixSet answers /tileMatrixSets/WebMercatorQuad.
func (s *Server) tileMatrixSet(c echo.Context) error {
	if id := c.Param("tileMatrixSet"); id != webMercatorQuad {
		return geo.NotFound("no tile matrix set %q (there is %s)", safe(id), webMercatorQuad)
	}
	if err := checkParams(c.QueryParams(), onlyFormat); err != nil {
		return err
	}
	if _, err := negotiate(c, fJSON); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.JSON(http.StatusOK, webMercatorQuadDoc)
}

// webMercatorQuadDoc is the definition of WebMercatorQuad (2D Tile Matrix
// Set 2.0, JSON encoding; OGC 17-083r4 annex D.1), tile matrices 0 to
// maxTileMatrix.
var webMercatorQuadDoc = func() map[string]any {
	const half = 20037508.3427892 // π × 6378137 m
	matrices := make([]map[string]any, 0, maxTileMatrix+1)
	for z := range maxTileMatrix + 1 {
		n := uint64(1) << z
		cell := 2 * half / 256 / float64(n)
		matrices = append(matrices, map[string]any{
			"id": strconv.Itoa(z), "scaleDenominator": cell / 0.00028, "cellSize": cell,
			"cornerOfOrigin": "topLeft", "pointOfOrigin": []float64{-half, half},
			"tileWidth": 256, "tileHeight": 256, "matrixWidth": n, "matrixHeight": n,
			"identifier": strconv.Itoa(z), "topLeftCorner": []float64{-half, half}, // TMS 1.0
		})
	}
	return map[string]any{
		"id": webMercatorQuad, "title": "Google Maps Compatible for the World", "uri": webMercatorQuadURI,
		"crs": crs3857, "orderedAxes": []string{"X", "Y"},
		"wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		"boundingBox": map[string]any{"lowerLeft": []float64{-half, -half}, "upperRight": []float64{half, half},
			"lowerCorner": []float64{-half, -half}, "upperCorner": []float64{half, half}, "crs": crs3857},
		"tileMatrices": matrices,
		// The members of 2D Tile Matrix Set 1.0 (OGC 17-083r2) as well, for
		// clients that read only those: GDAL before 3.7 (Debian 12's 3.6)
		// finds no tile matrix set without identifier and supportedCRS.
		"identifier": webMercatorQuad, "supportedCRS": crs3857,
	}
}()

// landingTileLinks are the landing page's links to the dataset's tilesets
// and the tile matrix sets, when tiles are served.
func (s *Server) landingTileLinks(base string) []link {
	if s.tiles == nil {
		return nil
	}
	return []link{
		{Href: base + "/tiles", Rel: relTilesetsVector, Type: mediaJSON, Title: "Vector tilesets of incidents and places (OGC API - Tiles)"},
		{Href: base + "/tileMatrixSets", Rel: relTilingSchemes, Type: mediaJSON, Title: "Tile matrix sets"},
	}
}

// collectionTileLinks are a collection's links to its tilesets, when tiles
// are served.
func (s *Server) collectionTileLinks(collection, query string) []link {
	if s.tiles == nil {
		return nil
	}
	return []link{{Href: collection + "/tiles" + query, Rel: relTilesetsVector, Type: mediaJSON, Title: "Vector tilesets of this collection (OGC API - Tiles)"}}
}

// collectionTileFilters are the filters a collection's document takes, to
// carry into its links to its tilesets: those of its tiles (none when tiles
// are not served). A client that opens a collection with a filter in its
// URL, as GDAL's OGCAPI driver does, so finds the filtered tiles.
func (s *Server) collectionTileFilters(c echo.Context) ([]string, error) {
	if s.tiles == nil {
		return nil, nil
	}
	ts, err := s.findTileset(c)
	return ts.params, err
}

// conformsTo are the conformance classes the server passes: those of
// OGC API - Features, and of OGC API - Tiles when tiles are served.
func (s *Server) conformsTo() []string {
	if s.tiles == nil {
		return conformanceClasses
	}
	return append(slices.Clone(conformanceClasses), tileConformance...)
}
