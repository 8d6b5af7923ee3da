package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"

	"incidentmap/geo"
)

// Source is what tiles read from the database. Errors are *geo.Error values
// where the caller can act on them.
type Source interface {
	// EachSummary streams the published incidents that match f and, when
	// within is not nil, intersect it.
	EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error
	// TileGroups sums up the incidents that match f in the tile of g by
	// cell, event type and geo precision, and gives the summaries of the
	// incidents g lists one by one, with their cells (see geo.TileGrid);
	// all in one snapshot.
	TileGroups(ctx context.Context, f geo.Filter, g geo.TileGrid,
		group func(geo.TileGroup) error, detail func(cell int, s geo.Summary) error) error
	// Summaries returns the published incidents among ids.
	Summaries(ctx context.Context, ids []string) ([]geo.Summary, error)
	// ChangesSince lists incidents written after change seq since.
	ChangesSince(ctx context.Context, since int64, limit int) (ids []string, last int64, more bool, err error)
	LastChange(ctx context.Context) (int64, error)
	// EstimateIncidents is about how many incidents there are (to size
	// the index before loading it; 0 when unknown).
	EstimateIncidents(ctx context.Context) (int, error)
	// AllPlaces returns every place.
	AllPlaces(ctx context.Context) ([]geo.Place, error)
	// Listen calls fn after every write, on any instance, until ctx ends.
	Listen(ctx context.Context, fn func()) error
	// Origin names the database and the point seq of its change log: an
	// index saved at seq may roll forward only where Origin gives the
	// same name again; "" when no change is logged at or before seq.
	Origin(ctx context.Context, seq int64) (string, error)
}

// Tile is a built tile: the gzipped MVT and its entity tag, and the MVT
// itself once a client asked for it without gzip (nil until then).
type Tile struct {
	Gzip     []byte
	ETag     string // quoted, strong; the same for both copies
	Identity []byte
}

// Options tune a Service.
type Options struct {
	CacheBytes int // default 256 MiB
	Logger     *slog.Logger
	// ObserveBuild, when set, is told how long each tile took to build.
	ObserveBuild func(seconds float64, fromIndex bool)
	// Tiles of filters the index does not hold are built from PostGIS:
	// at most DBBuilds at once (default 3), with at most DBQueue more
	// waiting (default 8) for at most DBWait (default 3 s) each, and each
	// build cut after DBTimeout (default 10 s). Past these bounds a tile
	// fails with an EUnavailable error.
	DBBuilds, DBQueue int
	DBWait, DBTimeout time.Duration
	// SnapshotPath is the file the index is saved to after a full load
	// and by SaveIndex, and read back from at start (see loadSaved);
	// "": none.
	SnapshotPath string
	// LoadWait is how long a tile waits for the index while it loads
	// before answering EUnavailable; default 2.5 s.
	LoadWait time.Duration
	// OnApply, when set, is told after each refresh of the index what it
	// applied (live streams hear of changes this way). It runs on the
	// index's goroutine: it must return at once.
	OnApply func(Applied)
}

// Service builds and caches tiles and keeps its index in step with the
// database. Create it with New and run Run in the background.
type Service struct {
	src     Source
	log     *slog.Logger
	snap    atomic.Pointer[snapshot]
	cache   *cache
	flight  singleflight.Group
	wake    chan struct{}
	observe func(seconds float64, fromIndex bool)
	onApply func(Applied)
	db      *dbPool // bounds the tiles built from PostGIS
	hits    atomic.Int64
	misses  atomic.Int64
	gunzips atomic.Int64 // identity copies made from gzipped ones

	loaded   chan struct{} // closed when the index is first published
	loadOnce sync.Once
	loadWait time.Duration
	saved    savedState
}

// snapshot is one consistent state: the index, the places, the last change
// applied and the cache generation they belong to.
type snapshot struct {
	ix     *index
	places []geo.Place
	seq    int64
	gen    uint64
}

// New returns a service reading from src. Until Run has loaded the index,
// a tile the index could answer waits for it (Options.LoadWait), then
// fails with EUnavailable: it is never built from a scan of every
// incident in PostGIS.
func New(src Source, o Options) *Service {
	if o.CacheBytes == 0 {
		o.CacheBytes = 256 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ObserveBuild == nil {
		o.ObserveBuild = func(float64, bool) {}
	}
	if o.LoadWait == 0 {
		o.LoadWait = 2500 * time.Millisecond
	}
	s := &Service{src: src, log: o.Logger, cache: newCache(o.CacheBytes), wake: make(chan struct{}, 1),
		observe: o.ObserveBuild, db: newDBPool(o), loaded: make(chan struct{}), loadWait: o.LoadWait, onApply: o.OnApply}
	s.saved.init(o.SnapshotPath)
	return s
}

// publish makes sn the index tiles and items read.
func (s *Service) publish(sn *snapshot) {
	s.snap.Store(sn)
	s.loadOnce.Do(func() { close(s.loaded) })
}

// errLoading is the answer of a tile that waited LoadWait for the index.
var errLoading = &geo.Error{Code: geo.EUnavailable, Message: "the tile index is loading: retry shortly"}

// awaitIndex waits until the index is loaded, for at most LoadWait and
// never past ctx.
func (s *Service) awaitIndex(ctx context.Context) (*snapshot, error) {
	wait := time.NewTimer(s.loadWait)
	defer wait.Stop()
	select {
	case <-s.loaded:
		return s.snap.Load(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
		return nil, errLoading
	}
}

// Status reports whether the in-memory index is loaded and how many
// incidents it holds.
func (s *Service) Status() (ready bool, incidents int) {
	if sn := s.snap.Load(); sn != nil {
		return true, sn.ix.len()
	}
	return false, 0
}

// CacheStats reports cache hits, misses, entries and bytes.
func (s *Service) CacheStats() (hits, misses int64, entries, bytes int) {
	entries, bytes = s.cache.stats()
	return s.hits.Load(), s.misses.Load(), entries, bytes
}

// Tile returns tile t of the incidents that match f, and of the places with
// their holders at the end of f's window, with its entity tag: gzipped when
// gzipped is true, else the MVT itself. The identity copy is made once per
// cached tile, on the first request that wants it, and cached beside the
// gzipped one. It fails with an ENotFound *geo.Error for a tile outside the
// pyramid. The body is shared: callers must not change it.
func (s *Service) Tile(ctx context.Context, t maptile.Tile, f geo.Filter, gzipped bool) (body []byte, etag string, err error) {
	return s.LayerTile(ctx, t, f, "", gzipped)
}

// LayerTile is Tile with one layer alone, IncidentsLayer or PlacesLayer
// (the tiles of one OGC API collection), or both when layer is "". Each
// choice is cached apart. An unknown layer fails with ENotFound.
func (s *Service) LayerTile(ctx context.Context, t maptile.Tile, f geo.Filter, layer string, gzipped bool) (body []byte, etag string, err error) {
	tile, key, err := s.tile(ctx, t, f, layer)
	switch {
	case err != nil:
		return nil, "", err
	case gzipped:
		return tile.Gzip, tile.ETag, nil
	case tile.Identity != nil:
		return tile.Identity, tile.ETag, nil
	}
	raw, err := s.identity(key, t, tile)
	return raw, tile.ETag, err
}

// Cached returns tile t for f in the encoding asked, and its entity tag,
// when the cache holds that copy, and counts a hit. ok is false when Tile
// would have more to do (build the tile, gunzip it, refuse it): such a
// lookup counts nothing, so a caller that falls back to Tile counts once.
// The body is shared: callers must not change it.
func (s *Service) Cached(t maptile.Tile, f geo.Filter, gzipped bool) (body []byte, etag string, ok bool) {
	return s.LayerCached(t, f, "", gzipped)
}

// LayerCached is Cached for LayerTile's tiles.
func (s *Service) LayerCached(t maptile.Tile, f geo.Filter, layer string, gzipped bool) (body []byte, etag string, ok bool) {
	if !Valid(t) || !validLayer(layer) {
		return nil, "", false
	}
	tile, ok := s.cache.get(layerKey(t, f, layer), t)
	if body = tile.Gzip; !gzipped {
		body = tile.Identity
	}
	if !ok || body == nil {
		return nil, "", false
	}
	s.hits.Add(1)
	return body, tile.ETag, true
}

// tile returns tile t for f with layer (see LayerTile), from the cache or
// built, and its cache key.
func (s *Service) tile(ctx context.Context, t maptile.Tile, f geo.Filter, layer string) (Tile, string, error) {
	if !Valid(t) {
		return Tile{}, "", geo.NotFound("no tile %d/%d/%d (zoom 0-%d, x and y below 2^zoom)", t.Z, t.X, t.Y, MaxZoom)
	}
	if !validLayer(layer) {
		return Tile{}, "", geo.NotFound("no tile layer %q (there are %s and %s)", layer, IncidentsLayer, PlacesLayer)
	}
	key := layerKey(t, f, layer)
	if tile, ok := s.cache.get(key, t); ok {
		s.hits.Add(1)
		return tile, key, nil
	}
	s.misses.Add(1)
	v, err, _ := s.flight.Do(key, func() (any, error) {
		sn := s.snap.Load()
		var gen uint64
		if sn != nil {
			gen = sn.gen
		}
		tile, err := s.build(ctx, sn, t, f, layer)
		if err == nil {
			s.cache.put(key, t, gen, tile)
		}
		return tile, err
	})
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			return s.tile(ctx, t, f, layer) // the request we shared was cancelled, not ours
		}
		return Tile{}, "", err
	}
	return v.(Tile), key, nil
}

// identity gunzips tile (tile t, cached under key) and keeps the result in
// the cache beside the gzipped copy, so that the next identity request for
// it is a lookup. Concurrent requests for one tile share one gunzip, and a
// request that missed the copy by a moment finds it in the cache.
func (s *Service) identity(key string, t maptile.Tile, tile Tile) ([]byte, error) {
	v, err, _ := s.flight.Do("identity|"+key, func() (any, error) {
		if cached, ok := s.cache.get(key, t); ok && cached.ETag == tile.ETag && cached.Identity != nil {
			return cached.Identity, nil
		}
		zr, err := gzip.NewReader(bytes.NewReader(tile.Gzip))
		if err != nil {
			return nil, err
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return nil, err
		}
		s.gunzips.Add(1)
		s.cache.addIdentity(key, tile.ETag, raw)
		return raw, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// build lays out and encodes one tile with layer (see LayerTile): its
// incidents from the index when it can answer f (waiting for it while it
// loads), else from PostGIS; its places from the index's snapshot.
func (s *Service) build(ctx context.Context, sn *snapshot, t maptile.Tile, f geo.Filter, layer string) (Tile, error) {
	started := time.Now()
	m, inMemory := compile(f)
	if sn == nil && inMemory {
		var err error
		if sn, err = s.awaitIndex(ctx); err != nil {
			return Tile{}, err
		}
	}
	defer func() { s.observe(time.Since(started).Seconds(), inMemory && sn != nil) }()
	var ix *index
	var places []geo.Place
	if sn != nil {
		ix, places = sn.ix, sn.places
	}
	var layers mvt.Layers
	if layer != PlacesLayer {
		var l *layout
		if ix == nil || !inMemory {
			var err error
			if ix, l, err = s.queryTile(ctx, t, f); err != nil {
				return Tile{}, err
			}
		} else {
			l = layOut(ix, t, &m)
		}
		layers = append(layers, mvtLayer(IncidentsLayer, incidentFeatures(ix, l, t)))
	}
	if layer != IncidentsLayer {
		if sn == nil {
			var err error
			if places, err = s.src.AllPlaces(ctx); err != nil {
				return Tile{}, err
			}
		}
		layers = append(layers, mvtLayer(PlacesLayer, placeFeatures(places, t, f.Time.LastInstant(time.Now()))))
	}
	raw, err := mvt.Marshal(layers)
	if err != nil {
		return Tile{}, err
	}
	return pack(raw)
}

// pack gzips a tile and computes its entity tag.
func pack(raw []byte) (Tile, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(raw); err != nil {
		return Tile{}, err
	}
	if err := zw.Close(); err != nil {
		return Tile{}, err
	}
	sum := sha256.Sum256(raw)
	return Tile{Gzip: buf.Bytes(), ETag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}
