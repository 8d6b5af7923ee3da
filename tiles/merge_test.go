package tiles

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// TestApplyingChangesEqualsRebuilding pins the merge that applies writes
// to the index: removing, moving and adding incidents (points and shapes,
// with their publishers) gives the index a full rebuild gives.
func TestApplyingChangesEqualsRebuilding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	current := map[string]geo.Summary{}
	for i := range 3000 {
		s := randomSummary(r, fmt.Sprintf("i-%d", i))
		current[s.ID] = s
	}
	ix := build(current)
	for round := range 30 {
		var ids []string
		var changed []geo.Summary
		for range 1 + r.IntN(40) {
			id := fmt.Sprintf("i-%d", r.IntN(3200)) // some new, some known
			ids = append(ids, id)
			if r.IntN(4) == 0 {
				delete(current, id) // deleted or unpublished
				continue
			}
			s := randomSummary(r, id)
			current[id] = s
			changed = append(changed, s)
		}
		// an id written twice in a round is read once, in its last state
		changed = slices.DeleteFunc(changed, func(s geo.Summary) bool {
			c, ok := current[s.ID]
			return !ok || !reflect.DeepEqual(c, s)
		})
		changed = slices.CompactFunc(changed, func(a, b geo.Summary) bool { return a.ID == b.ID })
		ix, _, _ = apply(ix, ids, changed)
		if got, want := rows(ix), rows(build(current)); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: the merged index (%d incidents) differs from a rebuild (%d)", round, len(got), len(want))
		}
		if !slices.IsSorted(ix.codes) {
			t.Fatalf("round %d: codes out of order", round)
		}
	}
}

func randomSummary(r *rand.Rand, id string) geo.Summary {
	s := summary(id, -5+r.Float64()*5, 12+r.Float64()*5, "2022-03-01")
	s.StartsAt = s.StartsAt.Add(time.Duration(r.IntN(1000)) * time.Hour)
	s.Title = "Title of " + id + fmt.Sprint(r.IntN(9))
	s.Publishers = [][]string{{"AFP"}, {"AFP", "HRW"}, {"Reuters", "AFP", "AFP"}, nil}[r.IntN(4)]
	if r.IntN(10) == 0 {
		p := s.Geometry.(orb.Point)
		s.Geometry = orb.LineString{p, {p[0] + 1, p[1] + 0.5}}
	}
	return s
}

func build(all map[string]geo.Summary) *index {
	var b builder
	for _, s := range all {
		b.addSummary(&s)
	}
	return b.finish()
}

// rows lists an index's incidents with everything it holds of each, in
// Morton order then by id (ties of position have no set order).
func rows(ix *index) []string {
	out := make([]string, ix.len())
	for i := range ix.len() {
		s := ix.summary(i)
		best := *s.FatalitiesBest
		s.FatalitiesBest = nil
		out[i] = fmt.Sprintf("%020d %s %+v %d %v", ix.codes[i], ix.id(i), s, best, ix.shapes[int32(i)])
	}
	slices.Sort(out)
	return out
}
