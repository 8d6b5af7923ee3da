package harness

import (
	"math"
	"time"
)

// Percentile returns the p-th percentile (nearest rank) of sorted
// durations; 0 when there are none. Percentile(d, 100) is the maximum.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(len(sorted)-1, max(0, i))]
}
