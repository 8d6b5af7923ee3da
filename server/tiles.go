package server

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Tiles builds vector tiles (the tile route and the limits). Failures are
// *geo.Error values (ENotFound for a tile outside the pyramid, EUnavailable
// when the database is down). A Tiles that also offers its cache
// (tileCache, as *tiles.Service does) has its cached tiles served on the
// fast path (fasttile.go).
type Tiles interface {
	// Tile returns the MVT of tile t for filter f, gzipped when gzipped is
	// true, and its ETag (the same for both). The body is shared: read only.
	Tile(ctx context.Context, t maptile.Tile, f geo.Filter, gzipped bool) (body []byte, etag string, err error)
	// NeedsDatabase reports whether tiles for f are built from PostGIS
	// (filters the in-memory index does not hold: q, actor, admin1,
	// as_of, status) rather than from the index: each costs a query, in a
	// small bounded pool, so such tiles are worth rate limiting per client.
	NeedsDatabase(f geo.Filter) bool
}

// TileIndex is the tiles' in-memory index of incidents, which answers
// pages, exports and static maps faster than PostGIS where it can: each
// method's ok is false when PostGIS must answer.
type TileIndex interface {
	// Status reports whether the index is loaded, and its size.
	Status() (ready bool, incidents int)
	// Match answers a page of items: the page's ids and how many match.
	Match(f geo.Filter, p geo.Page) (ids []string, matched int, ok bool)
	// EachMatch hands fn the ids of page p of the matches (p.Limit 0: all),
	// at most window at a time.
	EachMatch(f geo.Filter, p geo.Page, window int, fn func(ids []string) error) (ok bool, err error)
	// EachSummary gives fn every incident that matches f and returns the
	// publishers of their sources, most cited first, at most limit, and
	// how many there are in all.
	EachSummary(f geo.Filter, limit int, fn func(geo.Summary)) (publishers []string, total int, ok bool)
	// Sync waits until items and tiles show every committed write.
	Sync(ctx context.Context) error
}

const mediaMVT = "application/vnd.mapbox-vector-tile"

// tileParams are the query parameters of /tiles and /tiles.json: the
// filters of the items route.
var tileParams = incidentFilterParams

// tile answers /tiles/{z}/{x}/{y}.mvt.
func (s *Server) tile(c echo.Context) error {
	return s.serveTile(c, xyzAddress)
}

// layerTiles is what Tiles offers for the tiles of one collection, as
// *tiles.Service does: a tile with one layer alone ("incidents" or
// "places"). Without it, such tiles are not found (ogctiles.go).
type layerTiles interface {
	LayerTile(ctx context.Context, t maptile.Tile, f geo.Filter, layer string, gzipped bool) (body []byte, etag string, err error)
}

// serveTile answers a request for the MVT tile that address reads from its
// path, with the filters of its query: the tile route and the tiles of
// OGC API - Tiles (ogctiles.go) share this answer, its cache and its fast
// path (fasttile.go).
func (s *Server) serveTile(c echo.Context, address tileAddress) error {
	if s.tiles == nil {
		return geo.NotFound("tiles are not served here")
	}
	r, err := parsedTiles.parse(c, address)
	if err != nil {
		return err
	}
	gzipped := acceptsGzip(c.Request())
	body, etag, err := s.tileBody(c.Request().Context(), r, gzipped)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	// nginx (which strips this header) may serve the tile from its cache
	// until the end of the current second, then revalidates it: a write
	// shows through it within a second. Other caches follow "no-cache".
	h.Set("X-Accel-Expires", accelExpires.at(s.now()))
	if tileFresh(c, etag, "public, no-cache") {
		return c.NoContent(http.StatusNotModified)
	}
	if gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	// With its length known, net/http sends the tile in one piece rather
	// than in chunks: fewer writes for tiles over 2 KB.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, mediaMVT, body)
}

// tileBody builds or finds the tile of r: both layers from Tiles, one
// layer from layerTiles.
func (s *Server) tileBody(ctx context.Context, r tileRequest, gzipped bool) ([]byte, string, error) {
	if r.layer == "" {
		return s.tiles.Tile(ctx, r.tile, r.filter, gzipped)
	}
	lt, ok := s.tiles.(layerTiles)
	if !ok {
		return nil, "", geo.NotFound("the tiles of one collection are not served here")
	}
	return lt.LayerTile(ctx, r.tile, r.filter, r.layer, gzipped)
}

// accelExpires is the X-Accel-Expires value of the current second.
var accelExpires secondStamp

// secondStamp formats "@" and a Unix time in seconds, reusing the string
// while the second lasts: the value of X-Accel-Expires, which every tile
// answer carries.
type secondStamp struct {
	last atomic.Pointer[stamp]
}

type stamp struct {
	unix int64
	text string
}

func (p *secondStamp) at(now time.Time) string {
	unix := now.Unix()
	if s := p.last.Load(); s != nil && s.unix == unix {
		return s.text
	}
	s := &stamp{unix: unix, text: "@" + strconv.FormatInt(unix, 10)}
	p.last.Store(s)
	return s.text
}

// parsedTiles are the parsed tile requests of this process.
var parsedTiles = tileRequests{m: map[tileURL]tileRequest{}}

// tileRequests remembers recent valid tile requests parsed, by path and
// query: a map asks for the same tiles again and again, and parsing the
// query was a tenth of the server's work on a cached tile. It holds at
// most maxTileRequests entries of at most maxTileURL bytes of path and
// query (a few MB in all) and forgets them all when full; requests that
// fail to parse are never kept.
type tileRequests struct {
	mu sync.RWMutex
	m  map[tileURL]tileRequest
}

// tileURL is a request's path, as parsed and as sent (when its escaping
// differs: Echo reads the parameters from that), and its query.
type tileURL struct{ path, rawPath, query string }

// tileRequest is a parsed tile request. Its filter is shared: read only.
type tileRequest struct {
	tile   maptile.Tile
	filter geo.Filter
	layer  string // "" for both layers, else the one layer of a collection
	route  string // the route template: the label of metrics and log lines
}

// tileAddress reads what a tile request's path names: the tile, the layer
// ("" for both) and the query parameters that route takes. Its errors name
// the path parameter at fault.
type tileAddress func(c echo.Context) (t maptile.Tile, layer string, params []string, err error)

// xyzAddress reads /tiles/{z}/{x}/{y}.mvt: both layers, the tile filters.
func xyzAddress(c echo.Context) (maptile.Tile, string, []string, error) {
	t, err := parseTile(c.Param("z"), c.Param("x"), c.Param("y"))
	return t, "", tileParams, err
}

const (
	maxTileRequests = 4096
	maxTileURL      = 512 // a map's tile requests are far shorter
)

// parse returns the tile request whose path address reads, with the
// filters of its query, or the error that names the parameter at fault.
func (p *tileRequests) parse(c echo.Context, address tileAddress) (tileRequest, error) {
	u := c.Request().URL
	if r, ok := p.lookup(u); ok {
		return r, nil
	}
	key := tileURL{u.Path, u.RawPath, u.RawQuery}
	t, layer, params, err := address(c)
	if err != nil {
		return tileRequest{}, err
	}
	q := c.QueryParams()
	if err := checkParams(q, params); err != nil {
		return tileRequest{}, err
	}
	f, err := parseFilter(q)
	if err != nil {
		return tileRequest{}, err
	}
	r := tileRequest{tile: t, filter: f, layer: layer, route: c.Path()}
	if len(key.path)+len(key.rawPath)+len(key.query) > maxTileURL {
		return r, nil
	}
	p.mu.Lock()
	if len(p.m) >= maxTileRequests {
		clear(p.m)
	}
	p.m[key] = r
	p.mu.Unlock()
	return r, nil
}

// lookup returns the parsed tile request of u when it was parsed before
// (as a valid request that Echo routed to the tile handler).
func (p *tileRequests) lookup(u *url.URL) (tileRequest, bool) {
	p.mu.RLock()
	r, ok := p.m[tileURL{u.Path, u.RawPath, u.RawQuery}]
	p.mu.RUnlock()
	return r, ok
}

// parseTile reads z, x and "y.mvt". Non-numbers are 400; tiles outside the
// pyramid are 404 (from the tile service).
func parseTile(z, x, y string) (maptile.Tile, error) {
	y, ok := strings.CutSuffix(y, ".mvt")
	if !ok {
		return maptile.Tile{}, geo.NotFound("tiles end in .mvt: /tiles/{z}/{x}/{y}.mvt")
	}
	var n [3]uint64
	for i, p := range []struct{ name, v string }{{"z", z}, {"x", x}, {"y", y}} {
		v, err := strconv.ParseUint(p.v, 10, 32)
		if err != nil {
			return maptile.Tile{}, geo.Invalid(p.name, "%q is not a tile coordinate (a non-negative integer)", safe(p.v))
		}
		n[i] = v
	}
	if n[0] > 32 {
		return maptile.Tile{}, geo.NotFound("no zoom %d", n[0])
	}
	return maptile.New(uint32(n[1]), uint32(n[2]), maptile.Zoom(n[0])), nil
}

// tileFresh sets the headers of a tile answer and reports whether the
// client already holds it (answer 304).
func tileFresh(c echo.Context, etag, cacheControl string) bool {
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", strings.Join(append(h.Values("Vary"), "Accept-Encoding"), ", ")) // one line: CORS's Origin, then ours
	return ifNoneMatch(c.Request(), etag)
}

// ifNoneMatch reports whether the request's If-None-Match holds etag, by
// weak comparison (RFC 9110: W/ prefixes do not matter).
func ifNoneMatch(r *http.Request, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for candidate := range headerList(r.Header.Get("If-None-Match")) {
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for part := range headerList(r.Header.Get("Accept-Encoding")) {
		enc, params, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// headerList yields the comma-separated elements of a header value,
// trimmed, without allocating (every tile answer reads two such headers).
func headerList(v string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			if part = strings.TrimSpace(part); part != "" && !yield(part) {
				return
			}
		}
	}
}

// tileJSON answers /tiles.json: TileJSON 3.0.0 whose tiles URL carries the
// request's filters.
func (s *Server) tileJSON(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, tileParams); err != nil {
		return err
	}
	if _, err := parseFilter(q); err != nil {
		return err
	}
	carried := url.Values{}
	for _, name := range tileParams {
		if q.Has(name) {
			carried.Set(name, q.Get(name))
		}
	}
	tilesURL := s.baseURL(c) + "/tiles/{z}/{x}/{y}.mvt"
	if len(carried) > 0 {
		tilesURL += "?" + carried.Encode()
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, map[string]any{
		"tilejson":    "3.0.0",
		"name":        "incidentmap",
		"description": "Conflict incidents (singles and clusters) and places with base holders, filtered by time and attributes.",
		"version":     "1.0.0",
		"attribution": "incidentmap: incidents with their sources; places from OCHA, GeoNames and Wikipedia",
		"scheme":      "xyz",
		"tiles":       []string{tilesURL},
		"minzoom":     0,
		"maxzoom":     14,
		"bounds":      []float64{-12.5, 9.5, 4.5, 21.5},
		"center":      []float64{-3.5, 15, 5},
		"vector_layers": []map[string]any{
			{"id": "incidents", "minzoom": 0, "maxzoom": 14,
				"description": "One feature per incident where it can be drawn, else one cluster per busy cell (cluster=true).",
				"fields":      incidentTileFields},
			{"id": "places", "minzoom": 0, "maxzoom": 14,
				"description": "Towns, villages and military bases",
				"fields":      placeTileFields},
		},
	})
}

// incidentTileFields and placeTileFields are the attributes of the tiles'
// layers, each "Type" or "Type: what it is": TileJSON's vector_layers and
// the layers of OGC API - Tiles' tileset metadata.
var (
	incidentTileFields = map[string]string{
		"id": "String: stable incident id", "title": "String", "location": "String: place name",
		"event_type": "String: ACLED event type (dominant type for clusters)",
		"starts_at":  "String: RFC 3339", "ends_at": "String: RFC 3339",
		"geo_precision":   "String: exact, near, admin2, admin1, region, country",
		"uncertainty_km":  "Number: radius of the area the incident may lie in",
		"fatalities_best": "Number", "t0": "Number: first day (days since 1970-01-01)",
		"t1": "Number: last day (days since 1970-01-01)", "cluster": "Boolean: true for clusters",
		"count": "Number: incidents in the cluster", "fatalities": "Number: sum of fatalities_best in the cluster",
		"coarse": "Number: incidents of the cluster located no better than admin2",
	}
	placeTileFields = map[string]string{
		"id": "String", "name": "String", "kind": "String: city, town, village, military_base, camp",
		"holder": "String: who held the base at the end of the window", "geo_precision": "String",
	}
)
