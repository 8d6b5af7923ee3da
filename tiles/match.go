package tiles

import (
	"bytes"
	"container/heap"
	"math/bits"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Match answers a page of items from the index, as PostGIS would: the ids
// of page p of the published incidents that match f, in the API's order
// (start time, then id), and how many match in all. A bbox selects the
// points inside it and the lines and areas that intersect it. A page with
// no limit (an export) lists every match, up to MaxMatchAll of them.
//
// ok is false when the index cannot answer: f needs what it does not hold
// (see compile), an export matches more than MaxMatchAll, or the index is
// not loaded yet. The caller asks PostGIS then.
func (s *Service) Match(f geo.Filter, p geo.Page) (ids []string, matched int, ok bool) {
	sn := s.snap.Load()
	m, ok := compile(f)
	if !ok || sn == nil {
		return nil, 0, false
	}
	ix := sn.ix
	k := p.Offset + p.Limit
	if p.Limit <= 0 {
		k = MaxMatchAll
	}
	first := &firstK{ix: ix, k: k}
	eachMatch(ix, &m, f.BBox, func(i int32) {
		matched++
		first.offer(i)
	})
	if p.Limit <= 0 && matched > MaxMatchAll {
		return nil, 0, false
	}
	page := first.sorted()
	if p.Offset >= len(page) {
		return []string{}, matched, true
	}
	ids = make([]string, 0, len(page)-p.Offset)
	for _, i := range page[p.Offset:] {
		ids = append(ids, ix.id(int(i)))
	}
	return ids, matched, true
}

// MaxMatchAll bounds the ids Match lists for an export; a larger export
// streams from a PostGIS cursor instead.
const MaxMatchAll = 50000

// eachMatch calls fn once for every incident of ix that passes m. Without a
// bbox it scans the whole index; with one, only the Morton ranges of a few
// tiles that cover it, and then the lines and areas, whose position in the
// index is their centre but which match when any part of them is inside.
func eachMatch(ix *index, m *memFilter, bbox *geo.BBox, fn func(i int32)) {
	if bbox == nil {
		for i := range ix.len() {
			if m.match(ix, i) {
				fn(int32(i))
			}
		}
		return
	}
	for _, t := range covering(m.boxes) {
		from, to := ix.search(mortonRange(t))
		for i := from; i < to; i++ {
			if _, isShape := ix.shapes[int32(i)]; !isShape && m.match(ix, i) {
				fn(int32(i))
			}
		}
	}
	if len(ix.shapes) == 0 {
		return
	}
	anywhere := *m
	anywhere.boxes = nil
	bounds := bbox.Bounds()
	for i, g := range ix.shapes {
		if anywhere.match(ix, int(i)) && intersectsAny(g, bounds) {
			fn(i)
		}
	}
}

// covering returns tiles, of one zoom and each listed once, that together
// cover every box: at most three a side per box.
func covering(boxes []worldBox) []maptile.Tile {
	var widest uint32
	for _, b := range boxes {
		widest = max(widest, b.x1-b.x0, b.y1-b.y0)
	}
	// A tile of zoom z is 1<<(32-z) wide: at least half the widest box.
	z := min(32-bits.Len32(widest/2), 24)
	shift := uint(32 - z)
	var out []maptile.Tile
	for _, b := range boxes {
		for x := b.x0 >> shift; x <= b.x1>>shift; x++ {
			for y := b.y0 >> shift; y <= b.y1>>shift; y++ {
				t := maptile.New(x, y, maptile.Zoom(z))
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// intersectsAny reports whether g has a part inside one of the bounds.
func intersectsAny(g orb.Geometry, bounds []orb.Bound) bool {
	for _, b := range bounds {
		// clip works in place: it gets a copy.
		if b.Intersects(g.Bound()) && clip.Geometry(b, orb.Clone(g)) != nil {
			return true
		}
	}
	return false
}

// firstK keeps the k first incidents offered, in the API's order, in a
// max-heap: an incident later than all k is refused with one comparison.
type firstK struct {
	ix   *index
	k    int
	heap []int32
}

func (f *firstK) offer(i int32) {
	if len(f.heap) < f.k {
		heap.Push(f, i)
		return
	}
	if f.before(i, f.heap[0]) {
		f.heap[0] = i
		heap.Fix(f, 0)
	}
}

// sorted returns the kept incidents, first first.
func (f *firstK) sorted() []int32 {
	out := slices.Clone(f.heap)
	slices.SortFunc(out, func(a, b int32) int {
		if f.before(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// before is the API's order: start time, then id (the database compares
// ids byte by byte, in the C collation).
func (f *firstK) before(a, b int32) bool {
	sa, sb := f.ix.start[a], f.ix.start[b]
	if sa != sb {
		return sa < sb
	}
	return bytes.Compare(f.ix.bytes(int(a), 0), f.ix.bytes(int(b), 0)) < 0
}

// heap.Interface, as a max-heap: the latest kept incident on top.
func (f *firstK) Len() int           { return len(f.heap) }
func (f *firstK) Less(a, b int) bool { return f.before(f.heap[b], f.heap[a]) }
func (f *firstK) Swap(a, b int)      { f.heap[a], f.heap[b] = f.heap[b], f.heap[a] }
func (f *firstK) Push(x any)         { f.heap = append(f.heap, x.(int32)) }
func (f *firstK) Pop() any {
	last := f.heap[len(f.heap)-1]
	f.heap = f.heap[:len(f.heap)-1]
	return last
}
