package harness

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTownTileIsNearATownAtZ3To14(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zooms := map[int]bool{}
	for range 2000 {
		z, fx, fy := TownTile(r)
		n := math.Exp2(float64(z))
		if z < 3 || z > 14 || fx < 0 || fx >= n || fy < 0 || fy >= n {
			t.Fatalf("z %d, tile %g/%g outside the pyramid", z, fx, fy)
		}
		zooms[z] = true
	}
	if len(zooms) != 12 {
		t.Errorf("%d zooms drawn, want 12", len(zooms))
	}
	// Timbuktu (-3.0074, 16.7735) at z7.
	if x, y := TileXY(-3.0074, 16.7735, 7); int(x) != 62 || int(y) != 57 {
		t.Errorf("TileXY = %g, %g", x, y)
	}
}
