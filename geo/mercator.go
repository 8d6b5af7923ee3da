package geo

import "math"

// Web Mercator (EPSG:3857) world coordinates, scaled to [0, 1]: x grows east
// from the antimeridian, y grows south from MercatorMaxLat. The tile index
// (scaled to 32-bit integers), the static maps and the benchmark harness all
// place points with these functions; store/tilegrid.go repeats MercatorX and
// MercatorY in SQL, operation for operation.

// MercatorMaxLat is where the square Web Mercator world ends, north and
// south: MercatorY clamps latitudes beyond it.
const MercatorMaxLat = 85.05112878

// MercatorX is the world x of longitude lon: 0 at -180°, 1 at 180°.
func MercatorX(lon float64) float64 { return (lon + 180) / 360 }

// MercatorY is the world y of latitude lat: 0 at MercatorMaxLat north, 1 at
// as far south; a latitude beyond either is taken as that edge.
func MercatorY(lat float64) float64 {
	lat = math.Max(-MercatorMaxLat, math.Min(MercatorMaxLat, lat))
	s := math.Sin(lat * math.Pi / 180)
	return 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
}

// MercatorLon is the longitude of world x, the inverse of MercatorX.
func MercatorLon(x float64) float64 { return x*360 - 180 }

// MercatorLat is the latitude of world y, the inverse of MercatorY inside
// ±MercatorMaxLat.
func MercatorLat(y float64) float64 {
	return math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
}
