package server

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/render"
	"incidentmap/story"
)

// MapData is what a static map reads: the view's incidents (as summaries),
// the publishers to credit, the places to label, and the data version that
// keys the cache of drawings.
type MapData interface {
	DataVersioner
	// IncidentExtent bounds every published incident: the default view.
	IncidentExtent(ctx context.Context) (geo.Extent, error)
	// EachSummary streams the published incidents that match f (and
	// intersect within when it is not nil).
	EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error
	// Publishers returns the distinct publishers of the sources of the
	// incidents matching f, most cited first, at most limit, and how many
	// there are in all.
	Publishers(ctx context.Context, f geo.Filter, limit int) (names []string, total int, err error)
	// Places returns page p of the places matching f, and how many match.
	Places(ctx context.Context, f geo.PlaceFilter, p geo.Page) ([]geo.Place, int, error)
}

// mapParams are the parameters of /map.png: the shared filters and the
// CQL2 filter (bbox is the view there, not a filter), or center and zoom instead of bbox, the
// size, the language, the theme and a title.
var mapParams = slices.Concat([]string{"center", "zoom", "width", "height", "lang", "theme", "title"}, incidentFilterParams)

const (
	maxTitleLen     = 200  // runes
	maxPublishers   = 40   // read for the credit line, which says how many more
	maxPlacesOnMap  = 2000 // gazetteer places read for the labels
	mapTimeout      = 20 * time.Second
	mapCacheEntries = 64
)

// mapImages draws /map.png: the renderer, a limit of one drawing per core
// (a drawing is CPU-bound) and a small cache of recent images keyed by
// the data version, so that a social network fetching the same card again
// costs a database round trip, not a drawing.
type mapImages struct {
	r     *render.Renderer
	slots chan struct{}
	mu    sync.Mutex
	lru   *list.List // of *mapEntry, most recent first
	byKey map[string]*list.Element
}

type mapEntry struct {
	key  string
	png  []byte
	etag string
}

func newMapImages(r *render.Renderer) *mapImages {
	if r == nil {
		return nil
	}
	return &mapImages{r: r, slots: make(chan struct{}, runtime.GOMAXPROCS(0)), lru: list.New(), byKey: map[string]*list.Element{}}
}

func (mi *mapImages) get(key string) (*mapEntry, bool) {
	mi.mu.Lock()
	defer mi.mu.Unlock()
	el, ok := mi.byKey[key]
	if !ok {
		return nil, false
	}
	mi.lru.MoveToFront(el)
	return el.Value.(*mapEntry), true
}

func (mi *mapImages) put(e *mapEntry) {
	mi.mu.Lock()
	defer mi.mu.Unlock()
	if _, ok := mi.byKey[e.key]; ok {
		return
	}
	mi.byKey[e.key] = mi.lru.PushFront(e)
	for mi.lru.Len() > mapCacheEntries {
		old := mi.lru.Remove(mi.lru.Back()).(*mapEntry)
		delete(mi.byKey, old.key)
	}
}

// mapImage answers /map.png: a static map of the incidents matching the
// filters, as a PNG image whose ETag is a hash of its bytes.
func (s *Server) mapImage(c echo.Context) error {
	if s.maps == nil || s.mapData == nil {
		return geo.NotFound("static maps are not drawn here")
	}
	q := c.QueryParams()
	req, f, err := parseMapRequest(q, c.Request().Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	describedBy(c)
	req.Now = s.now()
	ctx, cancel := context.WithTimeout(c.Request().Context(), mapTimeout)
	defer cancel()
	version, err := s.mapData.DataVersion(ctx)
	if err != nil {
		return err
	}
	key := mapKey(q, req, version)
	e, ok := s.maps.get(key)
	if !ok {
		if e, err = s.drawMap(ctx, req, f); err != nil {
			return err
		}
		e.key = key
		s.maps.put(e)
	}
	h := c.Response().Header()
	h.Set("ETag", e.etag)
	h.Set("Cache-Control", "public, no-cache")
	if !q.Has("lang") {
		h.Add("Vary", "Accept-Language")
	}
	if ifNoneMatch(c.Request(), e.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "image/png", e.png)
}

// mapKey names a drawing: the canonical query, the language picked, the
// data version and, for a window open at the end (bases are shown with
// their holder now), today's date.
func mapKey(q url.Values, req render.Request, version int64) string {
	k := q.Encode() + "|" + req.Lang + "|" + strconv.FormatInt(version, 10)
	if req.Filter.Time.End == nil {
		k += "|" + req.Now.UTC().Format(time.DateOnly)
	}
	return k
}

// drawMap reads the incidents (those f matches, its CQL2 filter included),
// places and publishers of the map's area and draws it, waiting for a free
// core first.
func (s *Server) drawMap(ctx context.Context, req render.Request, f geo.Filter) (*mapEntry, error) {
	if req.BBox == nil && req.Center == nil {
		b, err := s.defaultView(ctx)
		if err != nil {
			return nil, err
		}
		req.BBox = &b
	}
	select {
	case s.maps.slots <- struct{}{}:
		defer func() { <-s.maps.slots }()
	case <-ctx.Done():
		return nil, &geo.Error{Code: geo.EUnavailable, Message: "too many maps are being drawn: retry shortly"}
	}
	m, err := s.maps.r.NewMap(req)
	if err != nil {
		return nil, err
	}
	area := m.Bounds()
	f.BBox = &area
	if err := s.captionMap(ctx, m, req.Lang, f); err != nil {
		return nil, err
	}
	names, total, err := s.mapIncidents(ctx, f, m.AddIncident)
	if err != nil {
		return nil, err
	}
	places, _, err := s.mapData.Places(ctx, geo.PlaceFilter{BBox: &area}, geo.Page{Limit: maxPlacesOnMap})
	if err != nil {
		return nil, err
	}
	for _, p := range places {
		m.AddPlace(p)
	}
	m.SetPublishers(names, total)
	png, err := m.PNG()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(png)
	return &mapEntry{png: png, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// captionMap gives m the caption of its incidents (those f matches), as
// /map.txt writes it; without an incident reader, m keeps its own.
func (s *Server) captionMap(ctx context.Context, m *render.Map, lang string, f geo.Filter) error {
	if s.incidents == nil {
		return nil
	}
	v, err := s.viewStory(ctx, lang, f, "")
	if err == nil {
		m.SetCaption(story.Caption(v), story.PlaceNames(v))
	}
	return err
}

// mapIncidents gives add every incident that matches f and returns the
// publishers to credit (at most maxPublishers, and how many in all): from
// the tiles' in-memory index when it can answer f, else from PostGIS; but
// while the index loads, EUnavailable.
func (s *Server) mapIncidents(ctx context.Context, f geo.Filter, add func(geo.Summary)) ([]string, int, error) {
	if s.index != nil {
		if names, total, ok := s.index.EachSummary(f, maxPublishers, add); ok {
			return names, total, nil
		}
		if ready, _ := s.index.Status(); !ready {
			return nil, 0, errIndexLoading // PostGIS would read every incident of the view
		}
	}
	err := s.mapData.EachSummary(ctx, f, nil, func(sum geo.Summary) error {
		add(sum)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return s.mapData.Publishers(ctx, f, maxPublishers)
}

// errIndexLoading answers a map asked while the tile index loads.
var errIndexLoading = &geo.Error{Code: geo.EUnavailable, Message: "the tile index is loading: retry shortly"}

// defaultView is the extent of all incidents, or the whole world when
// there are none.
func (s *Server) defaultView(ctx context.Context) (geo.BBox, error) {
	ext, err := s.mapData.IncidentExtent(ctx)
	if err != nil {
		return geo.BBox{}, err
	}
	if ext.BBox == nil {
		return geo.BBox{MinLon: -180, MinLat: -60, MaxLon: 180, MaxLat: 75}, nil
	}
	return *ext.BBox, nil
}

// parseMapRequest reads the parameters of /map.png into a drawing request
// and the incident filter (without bbox, which is the view). lang falls
// back on the Accept-Language header, then English.
func parseMapRequest(q url.Values, acceptLanguage string) (render.Request, geo.Filter, error) {
	req := render.Request{Width: render.DefaultWidth, Height: render.DefaultHeight, Lang: "en", Theme: "light"}
	if err := checkParams(q, mapParams); err != nil {
		return req, geo.Filter{}, err
	}
	f, err := parseFilter(q)
	if err != nil {
		return req, f, err
	}
	req.BBox, f.BBox = f.BBox, nil
	if err := parseCenter(q, &req); err != nil {
		return req, f, err
	}
	if err := parseSize(q, &req); err != nil {
		return req, f, err
	}
	if req.Lang, err = parseLang(q, acceptLanguage); err != nil {
		return req, f, err
	}
	switch v := q.Get("theme"); v {
	case "", "light", "auto": // a picture cannot follow the reader's setting: auto is light
	case "dark":
		req.Theme = v
	default:
		return req, f, geo.Invalid("theme", "%q is not a theme of maps (light, dark)", safe(v))
	}
	if req.Title = strings.TrimSpace(q.Get("title")); q.Has("title") && (req.Title == "" || utf8.RuneCountInString(req.Title) > maxTitleLen) {
		return req, f, geo.Invalid("title", "must be 1-%d characters", maxTitleLen)
	}
	req.Filter = f
	return req, f, nil
}

// parseCenter reads center=lon,lat and zoom, which go together and
// replace bbox.
func parseCenter(q url.Values, req *render.Request) error {
	switch {
	case !q.Has("center") && !q.Has("zoom"):
		return nil
	case !q.Has("center"):
		return geo.Invalid("center", "is required with zoom (center=lon,lat)")
	case !q.Has("zoom"):
		return geo.Invalid("zoom", "is required with center (0-%d)", render.MaxZoom)
	case req.BBox != nil:
		return geo.Invalid("center", "and zoom replace bbox: give one or the other")
	}
	lon, lat, ok := strings.Cut(q.Get("center"), ",")
	x, errX := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	y, errY := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	if !ok || errors.Join(errX, errY) != nil || math.IsNaN(x) || math.IsNaN(y) || x < -180 || x > 180 || y < -85 || y > 85 {
		return geo.Invalid("center", "%q is not lon,lat (longitude -180 to 180, latitude -85 to 85)", safe(q.Get("center")))
	}
	z, err := strconv.ParseFloat(strings.TrimSpace(q.Get("zoom")), 64)
	if err != nil || math.IsNaN(z) || z < 0 || z > render.MaxZoom {
		return geo.Invalid("zoom", "%q is not a zoom from 0 to %d", safe(q.Get("zoom")), render.MaxZoom)
	}
	req.Center, req.Zoom = &orb.Point{x, y}, z
	return nil
}

// parseSize reads width and height, within render's limits.
func parseSize(q url.Values, req *render.Request) error {
	var err error
	if q.Has("width") {
		if req.Width, err = parseInt(q.Get("width"), "width", render.MinWidth, render.MaxSide); err != nil {
			return err
		}
	}
	if q.Has("height") {
		if req.Height, err = parseInt(q.Get("height"), "height", render.MinHeight, render.MaxSide); err != nil {
			return err
		}
	}
	if req.Width*req.Height > render.MaxPixels {
		name := "width"
		if q.Has("height") && !q.Has("width") {
			name = "height"
		}
		return geo.Invalid(name, "width x height must be at most %d pixels (asked %dx%d)", render.MaxPixels, req.Width, req.Height)
	}
	return nil
}

// parseLang reads lang (en, fr), else the first language of the
// Accept-Language header that maps are written in, else English.
func parseLang(q url.Values, acceptLanguage string) (string, error) {
	if q.Has("lang") {
		if v := q.Get("lang"); contains(render.Languages(), v) {
			return v, nil
		}
		return "", geo.Invalid("lang", "%q is not a language of maps (%s)", safe(q.Get("lang")), strings.Join(render.Languages(), ", "))
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if base, _, _ := strings.Cut(strings.ToLower(tag), "-"); contains(render.Languages(), base) {
			return base, nil
		}
	}
	return "en", nil
}
