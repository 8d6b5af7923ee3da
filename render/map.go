// Package render draws static maps of incidents as PNG images, in Go, with
// no browser and no external service: a Web Mercator view of a bbox (or a
// centre and zoom), the Natural Earth basemap, the incidents of a time
// window as dots or clusters, place labels with the holders of bases, a
// legend, a caption and a credit line.
//
// It reads geo values and knows nothing of HTTP or of the store: the caller
// asks a Map for the area to query (Bounds), streams the incidents and
// places of that area into it, and encodes it. The same request and data
// give the same bytes.
package render

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// Limits of a map's size, in pixels.
const (
	MinWidth, MinHeight = 200, 150
	MaxSide             = 2400
	MaxPixels           = 4_000_000
	DefaultWidth        = 1200
	DefaultHeight       = 630
)

// Renderer draws maps over a basemap. It is safe for concurrent use.
type Renderer struct {
	base  *Basemap // nil: plain land, no borders
	fonts *fonts
}

// New returns a renderer drawing over base (nil for none).
func New(base *Basemap) (*Renderer, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, err
	}
	return &Renderer{base: base, fonts: fs}, nil
}

// Request says which map to draw. Exactly one of BBox and Center is set.
type Request struct {
	Width, Height int
	BBox          *geo.BBox  // the area to show, fitted into the map
	Center        *orb.Point // or the centre of the map, at Zoom
	Zoom          float64    // 0-14; raised when one world would not fill the width
	Filter        geo.Filter // what the incidents were selected by, for the caption
	Lang          string     // en (default) or fr
	Theme         string     // light (default) or dark
	Title         string     // replaces the generated headline, which then moves below it
	Now           time.Time  // the end of a window open at the end (holders of bases)
}

// ErrSize is returned for a size outside the limits; errors.Is works.
var ErrSize = errors.New("render: map size out of limits")

// CheckSize reports whether a map of w x h pixels may be drawn.
func CheckSize(w, h int) error {
	switch {
	case w < MinWidth || h < MinHeight:
		return fmt.Errorf("%w: at least %dx%d", ErrSize, MinWidth, MinHeight)
	case w > MaxSide || h > MaxSide:
		return fmt.Errorf("%w: at most %d on a side", ErrSize, MaxSide)
	case w*h > MaxPixels:
		return fmt.Errorf("%w: at most %d pixels in all", ErrSize, MaxPixels)
	}
	return nil
}

// Map is one map being drawn. Make it with NewMap, add the incidents and
// places inside Bounds, then call PNG. A Map is used by one goroutine.
type Map struct {
	r          *Renderer
	req        Request
	pal        palette
	w          *words
	scale      float64
	lay        layout
	v          *view
	marks      *marks
	places     []placeMark
	publishers []string
	total      int
	note       string
	caption    string   // SetCaption's; "" for Caption with Place
	featured   []string // the places the caption names
}

// NewMap lays out a map: its panels, and the view of its map area.
func (r *Renderer) NewMap(req Request) (*Map, error) {
	if err := CheckSize(req.Width, req.Height); err != nil {
		return nil, err
	}
	if (req.BBox == nil) == (req.Center == nil) {
		return nil, errors.New("render: a map needs a bbox or a centre, not both")
	}
	if req.Lang != "fr" {
		req.Lang = "en"
	}
	req.Title = clean(req.Title, 120)
	m := &Map{r: r, req: req, pal: paletteOf(req.Theme), w: wordsOf(req.Lang)}
	m.scale = math.Max(0.5, math.Min(2, math.Min(float64(req.Width)/DefaultWidth, float64(req.Height)/DefaultHeight)))
	m.note = filterNote(req.Lang, req.Filter, func(c string) string { return r.base.countryName(c, req.Lang) })
	m.lay = newLayout(req.Width, req.Height, m.scale, req.Title != "" || m.note != "")
	if req.BBox != nil {
		m.v = fitView(*req.BBox, m.lay.area, 28*m.scale)
	} else {
		m.v = centerView(*req.Center, req.Zoom, m.lay.area)
	}
	m.marks = newMarks(m.v, m.scale)
	return m, nil
}

// Bounds is the CRS84 area whose incidents and places the map shows (a
// little more than the map area, so that marks cut by its edge show).
// MinLon > MaxLon when it crosses the antimeridian.
func (m *Map) Bounds() geo.BBox { return m.v.bbox }

// AddIncident adds an incident of the window; one outside Bounds is
// ignored. Past a few per spot, incidents are counted in clusters.
func (m *Map) AddIncident(s geo.Summary) { m.marks.add(s) }

// AddPlace adds a place of the gazetteer, labelled with its name, and, for
// a base, its holder at the end of the window.
func (m *Map) AddPlace(p geo.Place) {
	x, y := m.v.pixel(p.Point)
	a := m.lay.area
	if x < a.x0 || x > a.x1 || y < a.y0 || y > a.y1 {
		return
	}
	holder := clean(p.HolderAt(m.req.Filter.Time.LastInstant(m.req.Now)), 40)
	m.places = append(m.places, placeMark{id: p.ID, name: clean(p.Name, 60), kind: p.Kind, holder: holder, x: x, y: y})
}

// SetPublishers names the publishers of the sources of the incidents shown,
// most cited first, and how many there are in all.
func (m *Map) SetPublishers(names []string, total int) {
	m.publishers = m.publishers[:0]
	for _, n := range names {
		if n = clean(n, 60); n != "" {
			m.publishers = append(m.publishers, n)
		}
	}
	m.total = max(total, len(m.publishers))
}

// SetCaption sets the caption the map says it shows (package story
// writes it from the data) in place of the one with the place nearest the
// centre, and the names of the places it names, whose labels go first.
func (m *Map) SetCaption(caption string, places []string) {
	m.caption, m.featured = clean(caption, 200), slices.Clone(places)
}

// nearMetres is the widest map that is said to be near one place (a map
// of a country is not "near" the town at its centre).
const nearMetres = 800_000

// Place is the name of the gazetteer place nearest the centre of the map
// area, among those added; "" when none is in the area, or when the area
// is too large (nearMetres across) to be "near" one place.
func (m *Map) Place() string {
	best, name := math.Inf(1), ""
	a := m.lay.area
	if math.Max(a.w(), a.h())*m.v.metresPerPixel(m.v.centre()[1]) > nearMetres {
		return ""
	}
	cx, cy := (m.lay.area.x0+m.lay.area.x1)/2, (m.lay.area.y0+m.lay.area.y1)/2
	for _, p := range m.places {
		d := math.Hypot(p.x-cx, p.y-cy)
		if d < best || (d == best && p.name < name) {
			best, name = d, p.name
		}
	}
	return name
}

// Headline is what the map says it shows: the title when given, else the
// caption (Caption with the place of the map).
func (m *Map) Headline() string {
	h, _ := m.headline()
	return h
}

// headline and detail are the two lines of the header: the title when
// given, above the generated caption, or the caption above the filters.
func (m *Map) headline() (string, string) {
	caption := m.caption
	if caption == "" {
		caption = Caption(m.req.Lang, m.Place(), m.req.Filter)
	}
	if m.req.Title == "" {
		return caption, m.note
	}
	detail := caption
	if m.note != "" {
		detail += " · " + m.note
	}
	return m.req.Title, detail
}

// sortedPlaces is the order in which labels claim room: the places of the
// caption (Featured, else Place), bases, cities, towns, villages, then by
// name.
func (m *Map) sortedPlaces() []placeMark {
	ps := slices.Clone(m.places)
	featured := m.featured
	if len(featured) == 0 {
		featured = []string{m.Place()}
	}
	rank := func(p placeMark) int {
		switch {
		case slices.Contains(featured, p.name):
			return 0
		case p.holder != "":
			return 1
		}
		return 2 + max(0, slices.Index([]string{"city", "town", "village", "camp", "military_base"}, p.kind))
	}
	slices.SortStableFunc(ps, func(a, b placeMark) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a.name+a.id, b.name+b.id)
	})
	return ps
}
