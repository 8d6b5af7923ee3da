package harness

import (
	"math"
	"math/rand/v2"

	"incidentmap/geo"
	"incidentmap/internal/synth"
)

// towns are where the synthetic incidents cluster (synth's towns): the
// programs draw their requests around them.
var towns = synth.Towns()

// RandomTown is the lon/lat of one of the towns, uniformly.
func RandomTown(r *rand.Rand) [2]float64 {
	t := towns[r.IntN(len(towns))]
	return [2]float64{t.Lon, t.Lat}
}

// TownTile draws a zoom uniform in 3..14, then a town, and returns the zoom
// and the town's fractional tile coordinates at it; the caller jitters
// them into a tile.
func TownTile(r *rand.Rand) (z int, fx, fy float64) {
	z = 3 + r.IntN(12)
	t := RandomTown(r)
	fx, fy = TileXY(t[0], t[1], z)
	return z, fx, fy
}

// TileXY returns the fractional tile coordinates of a point at zoom z.
func TileXY(lon, lat float64, z int) (float64, float64) {
	n := math.Exp2(float64(z))
	return geo.MercatorX(lon) * n, geo.MercatorY(lat) * n
}
