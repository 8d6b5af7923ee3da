package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// The fast path of warm tiles.
//
// A map asks for the same few tiles again and again, and once a tile is
// cached its answer is a lookup and a write. Through Echo, each such answer
// also ran the whole middleware chain (11 layers, rebuilt as closures on
// every request), the router, a rate limiter that parsed the query again
// to find the tile cheap, and five clock reads. With wrk on the 1M bench
// (`BENCH_ONLY=warm make bench`), 5 runs of the server with this path and
// 5 without, alternating: warm tiles reached a median 0.75 of a bare
// net/http handler gzipped (0.77 identity) without it, short of the 0.8
// that issue 12 asks, and 0.84 (0.86 identity) with it: serveCachedTile
// answers such a tile directly, in about 34 µs of server CPU against the
// bare handler's 27 (through Echo: about 39; BENCHMARKS.md records the
// last run). What is left is net/http's own work on eight or nine header
// fields (the bare handler sends three) and the server's read, write and idle
// deadlines (internal/cli/serve.go), which the bare handler does not set.
// Smaller tiles (issue 15's spacing) made that fixed cost weigh more, 0.79
// of bare gzipped; leaving a small tile's Content-Length to net/http
// (netHTTPSetsLength) brought it back to 0.86-0.94.
//
// The answer is the one Echo gives (status, headers, body, 304, metrics
// series, log line); TestFastTilesAnswerAsEcho asks both paths the same
// requests, so that they cannot drift apart. Anything else falls back to
// Echo: a tile not parsed yet (and every other route), a cache miss, an
// identity copy not made yet, a HEAD or OPTIONS, a request with a body, a
// tile PostGIS builds (rate limited), a header set by a handler around.

// tileCache is what Tiles offers the fast path: a cached copy or nothing
// (*tiles.Service.Cached).
type tileCache interface {
	// Cached returns the cached copy of tile t for f in the encoding
	// asked and its entity tag; ok is false when Tile has more to do.
	Cached(t maptile.Tile, f geo.Filter, gzipped bool) (body []byte, etag string, ok bool)
}

// layerCache is tileCache for the tiles of one layer (layerTiles;
// *tiles.Service.LayerCached).
type layerCache interface {
	LayerCached(t maptile.Tile, f geo.Filter, layer string, gzipped bool) (body []byte, etag string, ok bool)
}

// cachedTile is the cached copy of r's tile, when Tiles offers its cache
// and holds that copy.
func (s *Server) cachedTile(r tileRequest, gzipped bool) (body []byte, etag string, ok bool) {
	if r.layer != "" {
		if cache, ok := s.tiles.(layerCache); ok {
			return cache.LayerCached(r.tile, r.filter, r.layer, gzipped)
		}
		return nil, "", false
	}
	if cache, ok := s.tiles.(tileCache); ok {
		return cache.Cached(r.tile, r.filter, gzipped)
	}
	return nil, "", false
}

// Header values the fast tile answers share, as Echo's middleware and the
// tile handler set them. net/http only reads them (it copies the header
// when the handler writes it), and nothing else sees them: the answer is
// written when serveCachedTile returns.
var (
	nosniffValue   = []string{"nosniff"}
	tileVaryValue  = []string{"Origin, Accept-Encoding"} // CORS, then the tile, on one line as tileFresh writes it
	tileCacheValue = []string{"public, no-cache"}
	mediaMVTValue  = []string{mediaMVT}
	gzipValue      = []string{"gzip"}
	anyOriginValue = []string{"*"}
	exposeValue    = []string{"ETag,Link"}
)

// netHTTPSetsLength is the largest body net/http sends with a
// Content-Length of its own when the handler sets none: it holds that much
// of an answer back (its bufferBeforeChunkingSize) and, when the handler
// returns with the whole body held, counts it ("if the total size of all
// written data is under a few KB", http.ResponseWriter). The wire answer
// is the same, and a gzipped tile of this size (most of them) leaves
// net/http's header map at 8 keys, the most one group of its map holds:
// a ninth key grew the map and doubled its copy at WriteHeader, about a
// kilobyte a request. TestFastTilesAnswerAsEcho reads the answers off the
// wire, so a net/http that chunked such a body would fail it.
const netHTTPSetsLength = 2048

// serveCachedTile answers r when it asks GET for a tile that is cached in
// the encoding it accepts, and reports whether it did; else it writes
// nothing and Echo answers.
func (s *Server) serveCachedTile(w http.ResponseWriter, r *http.Request) bool {
	if s.tiles == nil || r.Method != http.MethodGet || r.ContentLength != 0 {
		return false
	}
	// Only requests the tile handler parsed are kept, and the same path
	// and query always take the same route: this is a tile, and valid.
	req, ok := parsedTiles.lookup(r.URL)
	if !ok || s.tiles.NeedsDatabase(req.filter) {
		return false
	}
	h := w.Header()
	if len(h) != 0 {
		return false // set by a handler around this one: Echo merges them
	}
	start := time.Now()
	gzipped := acceptsGzip(r)
	body, etag, ok := s.cachedTile(req, gzipped)
	if !ok {
		return false
	}

	id := r.Header.Get(echo.HeaderXRequestID)
	if id == "" {
		id = newRequestID()
	}
	perRequest := [...]string{id, etag, accelExpires.at(s.now()), ""}
	h["X-Request-Id"] = perRequest[0:1:1]
	h["Etag"] = perRequest[1:2:2]
	h["X-Accel-Expires"] = perRequest[2:3:3]
	h["X-Content-Type-Options"] = nosniffValue
	h["Vary"] = tileVaryValue
	h["Cache-Control"] = tileCacheValue
	if r.Header.Get(echo.HeaderOrigin) != "" {
		h["Access-Control-Allow-Origin"] = anyOriginValue
		h["Access-Control-Expose-Headers"] = exposeValue
	}

	status, size := http.StatusNotModified, int64(0)
	var err error
	if ifNoneMatch(r, etag) {
		w.WriteHeader(status)
	} else {
		status = http.StatusOK
		if len(body) > netHTTPSetsLength {
			perRequest[3] = strconv.Itoa(len(body))
			h["Content-Length"] = perRequest[3:4:4]
		}
		h["Content-Type"] = mediaMVTValue
		if gzipped {
			h["Content-Encoding"] = gzipValue
		}
		var n int
		n, err = w.Write(body)
		size = int64(n)
	}
	latency := time.Since(start)
	if err != nil { // the client went away: as Echo's error handler says it
		s.log.Warn("error after response started", "err", err, "path", req.route, "id", id)
	}
	s.metrics.count(req.route, r.Method, status, latency)
	s.logRequest(r, req.route, id, status, latency, size)
	return true
}
