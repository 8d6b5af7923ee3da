package tiles

import (
	"math/rand/v2"
	"testing"

	"incidentmap/geo"
)

// BenchmarkFirstPageInOrder is the cost of the first page (100) of a
// million matches in each kind of order: the default, which has its own
// path, and orders that sortby asks on keys the index holds.
func BenchmarkFirstPageInOrder(b *testing.B) {
	ix := millionIndex(rand.New(rand.NewPCG(1, 2)))
	m, _ := compile(geo.Filter{})
	for _, sortby := range []string{"starts_at", "-fatalities_best", "country,-starts_at", "-id"} {
		sort, err := geo.ParseSortBy("sortby", sortby, geo.IncidentQueryables)
		if err != nil {
			b.Fatal(err)
		}
		ord, _ := compileOrder(sort)
		b.Run(sortby, func(b *testing.B) {
			for range b.N {
				firstAfter(ix, &m, &ord, nil, nil, 100)
			}
		})
	}
}
