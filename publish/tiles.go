package publish

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Tiles builds the incident tiles (tiles.Service: the index, or PostGIS
// for as_of views), gzipped, exactly as /tiles/{z}/{x}/{y}.mvt serves them.
type Tiles interface {
	Tile(ctx context.Context, t maptile.Tile, f geo.Filter, gzipped bool) (body []byte, etag string, err error)
}

// Basemap builds the built-in basemap's tiles (tiles.Basemap), gzipped.
type Basemap interface {
	Tile(ctx context.Context, t maptile.Tile) (gzipped []byte, etag string, err error)
}

// Zoom limits of the archives: incident tiles to IncidentMaxZoom over the
// view (fewer when the view is large: at most MaxTiles tiles per archive),
// basemap tiles to BasemapMaxZoom (1:50m data has no more detail; the map
// overzooms them).
const (
	IncidentMaxZoom = 12
	BasemapMaxZoom  = 8
	MaxTiles        = 20000
)

// tileRange is the tiles of zoom z that cover b.
type tileRange struct {
	z         maptile.Zoom
	x0, y0    uint32
	x1, y1    uint32 // inclusive
	tileCount int
}

func rangeOf(b geo.BBox, z maptile.Zoom) tileRange {
	clampLat := func(v float64) float64 { return max(-85.0511, min(85.0511, v)) }
	west, east := b.MinLon, b.MaxLon
	if west > east { // across the antimeridian: every column
		west, east = -180, 180
	}
	nw := maptile.At(orb.Point{max(-180, west), clampLat(b.MaxLat)}, z)
	se := maptile.At(orb.Point{min(180-1e-9, east), clampLat(b.MinLat)}, z)
	r := tileRange{z: z, x0: nw.X, y0: nw.Y, x1: se.X, y1: se.Y}
	r.tileCount = int(r.x1-r.x0+1) * int(r.y1-r.y0+1)
	return r
}

// zoomsFor is the ranges of zooms 0 to at most maxZ that cover b, as deep
// as MaxTiles tiles allow (zoom 0 always).
func zoomsFor(b geo.BBox, maxZ maptile.Zoom) []tileRange {
	var out []tileRange
	total := 0
	for z := maptile.Zoom(0); z <= maxZ; z++ {
		r := rangeOf(b, z)
		if total += r.tileCount; total > MaxTiles && z > 0 {
			break
		}
		out = append(out, r)
	}
	return out
}

// fill adds to a every tile of ranges, as tile returns it; it stops at the
// first error or when ctx ends.
func fill(ctx context.Context, a *archive, ranges []tileRange, tile func(context.Context, maptile.Tile) ([]byte, error)) error {
	for _, r := range ranges {
		for x := r.x0; x <= r.x1; x++ {
			for y := r.y0; y <= r.y1; y++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				t := maptile.New(x, y, r.z)
				body, err := tile(ctx, t)
				if err != nil {
					return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
				}
				a.add(uint8(t.Z), t.X, t.Y, body)
			}
		}
	}
	return nil
}
