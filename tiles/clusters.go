package tiles

import "math"

// Cluster marks are laid out on a grid coarser than the layout's, fixed in
// global pixel space: clusterSpan x clusterSpan layout cells, 64 x 64
// pixels of a 512-pixel tile, make one cluster cell, whose edges are the
// same in neighbouring tiles. A cluster's disc (its radius, the style's
// stroke and half the gap) stays inside its cell, so no two clusters
// overlap on screen: a tile of zoom z is drawn from zoom z (64-pixel cells)
// to just below z+1 (128-pixel cells), and the radius is in screen pixels.
const (
	clusterSpan   = 4
	clusterGrid   = grid / clusterSpan
	clusterCell   = Extent / clusterGrid // tile units
	tilePixels    = 512                  // the style's tile size
	unitsPerPixel = Extent / tilePixels
	clusterStroke = 2.0 // pixels: the style's circle-stroke-width of clusters
	clusterGap    = 2.0 // pixels, at least, between neighbouring clusters
	// maxClusterRadius is the largest radius that fits a cell.
	maxClusterRadius = clusterCell/unitsPerPixel/2 - clusterStroke - clusterGap/2
)

// clusterRadiusStops is the radius in pixels of a cluster of n incidents,
// linear between the stops and flat beyond: large enough for its count
// abbreviated ("1.2k") in a 12-pixel bold font, never over maxClusterRadius.
var clusterRadiusStops = [][2]float64{{2, 11}, {100, 17}, {1000, 22}, {10000, 26}}

// clusterRadius is the radius in pixels of the disc of a cluster of n
// incidents, which the style draws from the tiles' "radius" property.
func clusterRadius(n int) float64 {
	return min(math.Round(piecewise(float64(n), clusterRadiusStops)*10)/10, maxClusterRadius)
}

// piecewise reads y at x on the piecewise linear curve through stops (x
// ascending), flat beyond its ends, as the style's linear interpolate.
func piecewise(x float64, stops [][2]float64) float64 {
	r := stops[0][1]
	for k := 1; k < len(stops) && x > stops[k-1][0]; k++ {
		a, b := stops[k-1], stops[k]
		r = a[1] + (b[1]-a[1])*(min(x, b[0])-a[0])/(b[0]-a[0])
	}
	return r
}

// merge adds the incidents summed in o to c (members aside).
func (c *cell) merge(o *cell) {
	if o.n == 0 {
		return
	}
	if c.n == 0 || o.start < c.start {
		c.start = o.start
	}
	if c.n == 0 || o.end > c.end {
		c.end = o.end
	}
	c.n += o.n
	c.sumX += o.sumX
	c.sumY += o.sumY
	c.fatalities += o.fatalities
	for k := range c.types {
		c.types[k] += o.types[k]
	}
	c.coarse += o.coarse
}
