package harness

import (
	"math"
	"math/rand/v2"
)

// Towns are the towns of synth.go (synthTowns), lon/lat, where the
// synthetic incidents cluster: the programs draw their requests around them.
var Towns = [][2]float64{
	{-4.5997, 14.3261}, {-1.7001, 15.2767}, {-1.3071, 15.8165}, {-4.0947, 14.5246}, {-4.183, 14.4843},
	{-4.5533, 13.9061}, {-2.9517, 15.0061}, {-2.2226, 15.0713}, {-1.9481, 14.6741}, {-5.9868, 14.2505},
	{-6.1293, 13.5511}, {2.3961, 15.9199}, {-0.0447, 16.2717}, {-3.0074, 16.7735}, {1.0119, 20.2013},
	{1.4092, 18.4435}, {-7.9752, 12.6092}, {-1.6267, 14.0986}, {-4.491, 14.221}, {-3.6248, 13.7374},
	{-0.3, 15.2167}, {-8.08, 12.7504}, {-6.2595, 13.4403}, {-1.5197, 12.3714}, {2.1098, 13.5116},
	{1.453, 14.2117}, {-0.0345, 14.0354}, {-0.8667, 14.2333}, {-1.0844, 13.0917}, {-1.0667, 13.4167},
	{-2.4211, 13.5828}, {0.3587, 12.0616}, {0.5014, 15.6597}, {0.7531, 14.0078}, {0.9167, 14.7333},
	{-4.9167, 14.4667}, {2.04, 15.04},
}

// RandomTown is one of Towns, uniformly.
func RandomTown(r *rand.Rand) [2]float64 { return Towns[r.IntN(len(Towns))] }

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
	rad := lat * math.Pi / 180
	return (lon + 180) / 360 * n, (1 - math.Log(math.Tan(rad)+1/math.Cos(rad))/math.Pi) / 2 * n
}
