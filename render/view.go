package render

import (
	"math"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// World coordinates are geo's Web Mercator, [0, 1] from the antimeridian
// and from 85.0511°N. At zoom z the world is 512·2^z pixels wide, as in
// MapLibre, so that a zoom read from the viewer shows the same area here.
const (
	tileSize = 512
	// MaxZoom is the deepest zoom a map can be asked for.
	MaxZoom = 14
	// maxFitZoom caps the zoom that fits a tiny bbox (or a single point).
	maxFitZoom = 12
)

// World coordinates of a point, and back: short names for geo's Web
// Mercator, which the drawing code uses at every turn.
func worldX(lon float64) float64 { return geo.MercatorX(lon) }
func worldY(lat float64) float64 { return geo.MercatorY(lat) }
func lonOf(x float64) float64    { return geo.MercatorLon(x) }
func latOf(y float64) float64    { return geo.MercatorLat(y) }

// view maps world coordinates onto the map area of the image.
type view struct {
	cx, cy float64   // world coordinates of the area's centre
	zoom   float64   // fractional
	world  float64   // world size in pixels: tileSize·2^zoom
	area   rect      // the map area, in image pixels
	ox, oy float64   // pixel of the world origin (copy 0)
	pad    float64   // pixels around the area whose marks are still drawn
	within orb.Bound // pixel bound that drawing clips to
	bbox   geo.BBox  // lon/lat of the area and its pad (query bound)
	copies []float64 // world-copy offsets (pixels) that touch the area
}

// rect is a pixel rectangle with float bounds.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) w() float64 { return r.x1 - r.x0 }

// distance is how far point (x, y) lies from r; 0 inside.
func (r rect) distance(x, y float64) float64 {
	return math.Hypot(max(r.x0-x, 0, x-r.x1), max(r.y0-y, 0, y-r.y1))
}
func (r rect) h() float64 { return r.y1 - r.y0 }

func (r rect) overlaps(o rect) bool {
	return r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1
}

// minZoom is the lowest zoom at which one world covers the area's width.
func minZoom(area rect) float64 { return math.Max(0, math.Log2(area.w()/tileSize)) }

// fitView is the view that fits b (with pad pixels of margin) into area.
func fitView(b geo.BBox, area rect, pad float64) *view {
	x0, x1 := worldX(b.MinLon), worldX(b.MaxLon)
	if x1 < x0 { // crosses the antimeridian
		x1++
	}
	y0, y1 := worldY(b.MaxLat), worldY(b.MinLat)
	w, h := math.Max(area.w()-2*pad, 1), math.Max(area.h()-2*pad, 1)
	zoom := float64(maxFitZoom)
	if dx, dy := (x1-x0)*tileSize, (y1-y0)*tileSize; dx > 0 || dy > 0 {
		zoom = math.Min(zoom, math.Log2(math.Min(w/math.Max(dx, 1e-9), h/math.Max(dy, 1e-9))))
	}
	return newView((x0+x1)/2, (y0+y1)/2, zoom, area)
}

// centerView is the view centred on c at zoom z.
func centerView(c orb.Point, z float64, area rect) *view {
	return newView(worldX(c[0]), worldY(c[1]), z, area)
}

func newView(cx, cy, zoom float64, area rect) *view {
	zoom = math.Max(minZoom(area), math.Min(MaxZoom, zoom))
	cx -= math.Floor(cx)
	v := &view{cx: cx, cy: cy, zoom: zoom, world: tileSize * math.Exp2(zoom), area: area}
	v.ox = (area.x0+area.x1)/2 - cx*v.world
	v.oy = (area.y0+area.y1)/2 - cy*v.world
	v.pad = 48
	v.within = orb.Bound{Min: orb.Point{area.x0 - v.pad, area.y0 - v.pad}, Max: orb.Point{area.x1 + v.pad, area.y1 + v.pad}}
	for k := -1.0; k <= 1; k++ {
		if left := v.ox + k*v.world; left < v.within.Max[0] && left+v.world > v.within.Min[0] {
			v.copies = append(v.copies, k*v.world)
		}
	}
	v.bbox = v.lonLatBox()
	return v
}

// lonLatBox is the CRS84 box of the padded area; it crosses the
// antimeridian when the area does, and spans every longitude when the area
// is a world wide.
func (v *view) lonLatBox() geo.BBox {
	x0 := (v.within.Min[0] - v.ox) / v.world
	x1 := (v.within.Max[0] - v.ox) / v.world
	y0 := math.Max(0, (v.within.Min[1]-v.oy)/v.world)
	y1 := math.Min(1, (v.within.Max[1]-v.oy)/v.world)
	b := geo.BBox{MinLat: latOf(math.Min(y1, 1)), MaxLat: latOf(math.Max(y0, 0))}
	if x1-x0 >= 1 {
		b.MinLon, b.MaxLon = -180, 180
		return b
	}
	b.MinLon, b.MaxLon = lonOf(x0-math.Floor(x0)), lonOf(x1-math.Floor(x1))
	if x1-math.Floor(x1) == 0 {
		b.MaxLon = 180
	}
	return b
}

// pixel is where a lon/lat point falls in the image: on the world copy
// nearest the centre of the area.
func (v *view) pixel(p orb.Point) (x, y float64) {
	wx := worldX(p[0])
	wx -= math.Round(wx - v.cx)
	return v.ox + wx*v.world, v.oy + worldY(p[1])*v.world
}

// metresPerPixel at latitude lat.
func (v *view) metresPerPixel(lat float64) float64 {
	return 2 * math.Pi * 6378137 * math.Cos(lat*math.Pi/180) / v.world
}

// centre is the lon/lat of the area's centre.
func (v *view) centre() orb.Point { return orb.Point{lonOf(v.cx), latOf(v.cy)} }

// inside reports whether pixel (x, y) lies in the padded area.
func (v *view) inside(x, y float64) bool {
	return x >= v.within.Min[0] && x <= v.within.Max[0] && y >= v.within.Min[1] && y <= v.within.Max[1]
}
