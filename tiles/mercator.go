package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// World coordinates: geo's Web Mercator scaled to unsigned 32-bit integers,
// x east and y south, so that tile (z, x, y) covers [x<<(32-z), (x+1)<<(32-z)).

// MaxZoom is the deepest zoom a tile can be asked for.
const MaxZoom = 20

// Extent is the MVT tile extent.
const Extent = 4096

func worldXY(p orb.Point) (uint32, uint32) {
	return scale32(geo.MercatorX(p[0])), scale32(geo.MercatorY(p[1]))
}

func scale32(f float64) uint32 {
	v := f * (1 << 32)
	if v <= 0 {
		return 0
	}
	if v >= (1<<32)-1 {
		return (1 << 32) - 1
	}
	return uint32(v)
}

// lonLat turns world coordinates back into WGS84.
func lonLat(x, y uint32) orb.Point {
	return orb.Point{geo.MercatorLon(float64(x) / (1 << 32)), geo.MercatorLat(float64(y) / (1 << 32))}
}

// spread moves the 32 bits of v to the even bits of a uint64.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// morton interleaves world x and y: points of one tile share a prefix.
func morton(x, y uint32) uint64 { return spread(x) | spread(y)<<1 }

// mortonRange is the half-open range of Morton codes inside tile t; hi is 0
// when the range runs to the end.
func mortonRange(t maptile.Tile) (lo, hi uint64, toEnd bool) {
	if t.Z == 0 {
		return 0, 0, true
	}
	shift := 32 - uint(t.Z)
	lo = morton(t.X<<shift, t.Y<<shift)
	span := uint64(1) << (64 - 2*uint(t.Z))
	hi = lo + span
	return lo, hi, hi == 0
}

// tileOrigin is the world coordinate of a tile's top-left corner and the
// shift that turns world offsets into tile units (0..Extent).
func tileOrigin(t maptile.Tile) (x0, y0 uint32, shift uint) {
	s := 32 - uint(t.Z)
	return t.X << s, t.Y << s, s - 12
}

// Valid reports whether t is a tile of the pyramid that we serve.
func Valid(t maptile.Tile) bool {
	return t.Z <= MaxZoom && uint64(t.X) < 1<<t.Z && uint64(t.Y) < 1<<t.Z
}
