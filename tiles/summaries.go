package tiles

import (
	"cmp"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// EachSummary calls fn with the summary of every published incident that
// matches f, from the index (titles and locations cut as in tiles), and
// returns the publishers of their sources: those cited by the most
// incidents first, then by the most sources, then by name; at most limit
// of them, and how many there are in all. That is what /map.png draws and
// credits. ok is false when the index cannot answer f (see Match); fn is
// not called then.
func (s *Service) EachSummary(f geo.Filter, limit int, fn func(geo.Summary)) (publishers []string, total int, ok bool) {
	sn := s.snap.Load()
	m, ok := compile(f)
	if !ok || sn == nil {
		return nil, 0, false
	}
	ix := sn.ix
	perSet := make([]int, len(ix.sets)) // matching incidents per list of publishers
	eachMatch(ix, &m, f.BBox, func(i int32) {
		perSet[ix.pubs[i]]++
		fn(ix.summary(int(i)))
	})
	publishers, total = rankPublishers(ix.sets, perSet, limit)
	return publishers, total, true
}

// summary rebuilds the summary of incident i.
func (ix *index) summary(i int) geo.Summary {
	a := ix.attrs[i]
	s := geo.Summary{
		ID: ix.id(i), Title: ix.title(i), Location: ix.location(i),
		StartsAt: time.UnixMicro(ix.start[i]).UTC(), EndsAt: time.UnixMicro(ix.end[i]).UTC(),
		EventType: eventTypeList[a.eventType], SubEventType: subTypeList[a.subType],
		GeoPrecision: geo.GeoPrecisions[a.precision], Publishers: ix.publishers(i),
	}
	if a.country != 0 {
		s.Country = string([]byte{byte(a.country >> 8), byte(a.country)})
	}
	if ix.best[i] >= 0 {
		best := int(ix.best[i])
		s.FatalitiesBest = &best
	}
	if g, ok := ix.shapes[int32(i)]; ok {
		s.Geometry = g
	} else {
		s.Geometry = orb.Geometry(lonLat(ix.x[i], ix.y[i]))
	}
	return s
}

// rankPublishers orders the publishers of the lists sets, where perSet
// says how many incidents cite each list, as EachSummary documents.
func rankPublishers(sets [][]string, perSet []int, limit int) ([]string, int) {
	type tally struct {
		name                 string
		incidents, citations int
	}
	byName := map[string]*tally{}
	for k, n := range perSet {
		if n == 0 {
			continue
		}
		for j, name := range sets[k] { // sorted: repeats are neighbours
			t := byName[name]
			if t == nil {
				t = &tally{name: name}
				byName[name] = t
			}
			t.citations += n
			if j == 0 || sets[k][j-1] != name {
				t.incidents += n
			}
		}
	}
	all := make([]*tally, 0, len(byName))
	for _, t := range byName {
		all = append(all, t)
	}
	slices.SortFunc(all, func(a, b *tally) int {
		return cmp.Or(cmp.Compare(b.incidents, a.incidents), cmp.Compare(b.citations, a.citations),
			cmp.Compare(a.name, b.name))
	})
	names := make([]string, 0, min(limit, len(all)))
	for _, t := range all[:min(limit, len(all))] {
		names = append(names, t.name)
	}
	return names, len(all)
}
