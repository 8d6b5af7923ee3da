package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"incidentmap/geo"
	"incidentmap/store/storetest"
)

// BenchmarkWriteIncident measures single-incident writes from one and four
// writers per CPU at once, each rewriting 50 incidents of its own: writes queue on
// the data_version lock from their first change to their commit, so this
// is what the change log's ordering (migration 10) could slow down.
//
//	go test -run '^$' -bench WriteIncident -benchtime 5s ./store/
func BenchmarkWriteIncident(b *testing.B) {
	st := storetest.New(b)
	ctx := context.Background()
	for _, perCPU := range []int{1, 4} {
		writers := perCPU * runtime.GOMAXPROCS(0)
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(perCPU)
			b.RunParallel(func(pb *testing.PB) {
				w := next.Add(1)
				for k := 0; pb.Next(); k++ {
					in := testIncident(fmt.Sprintf("bench-%d-%d-%d", writers, w, k%50), -4, 14, "2022-05-01", "2022-05-01")
					if _, err := st.WriteIncident(ctx, &in, geo.Write{Author: "bench"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
