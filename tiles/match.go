package tiles

import (
	"container/heap"
	"math/bits"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Match answers a page of items from the index, as PostGIS would: the ids
// of page p of the published incidents that match f, in the order of
// p.Sort (default: start time, then id), and how many match in all. A bbox selects the
// points inside it and the lines and areas that intersect it. A page with
// no limit (an export) lists every match, up to MaxMatchAll of them.
//
// ok is false when the index cannot answer: f needs what it does not hold
// (see compile) or sorts by a key it does not hold (see compileOrder), an
// export matches more than MaxMatchAll, or the index is not loaded yet.
// The caller asks PostGIS then.
func (s *Service) Match(f geo.Filter, p geo.Page) (ids []string, matched int, ok bool) {
	sn := s.snap.Load()
	m, ok := compile(f)
	ord, sortable := compileOrder(p.Sort)
	if !ok || !sortable || sn == nil {
		return nil, 0, false
	}
	ix := sn.ix
	k := p.Offset + p.Limit
	if p.Limit <= 0 {
		k = MaxMatchAll
	}
	first := &firstK{ix: ix, ord: &ord, k: k}
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

// MaxMatchAll bounds the ids Match lists for a page with no limit. Exports
// do not use Match: EachMatch hands them their matches a window at a time.
const MaxMatchAll = 50000

// EachMatch calls fn with the ids of page p of the published incidents that
// match f (p.Limit 0: every match from p.Offset on), in the API's order, at
// most window ids at a time. It never holds more than a window: each
// window is the first matches after the last id handed out (keyset
// paging), found by a fresh scan of the index as it is then. ok is false,
// and fn is not called, when the index cannot answer f (see Match).
//
// Consistency: the index may move on between two windows (a write, a
// refresh). An export then shows each window as of its own scan: an
// incident written meanwhile with an earlier start is not listed, one
// deleted meanwhile is not listed if its window had not come yet, and one
// whose start moved across the cursor may be listed twice or not at all.
// A window never repeats or skips an incident that did not change.
// EachMatch stops at the first error fn returns.
//
// Each window costs a scan of the index: at 1M incidents, windows of
// 5,000 took 15% of the server's CPU in 4 concurrent exports.
func (s *Service) EachMatch(f geo.Filter, p geo.Page, window int, fn func(ids []string) error) (ok bool, err error) {
	m, ok := compile(f)
	ord, sortable := compileOrder(p.Sort)
	if !ok || !sortable || s.snap.Load() == nil {
		return false, nil
	}
	skip, left := p.Offset, p.Limit
	if left <= 0 {
		left = 1 << 62 // every match; no overflow when the offset is added
	}
	var after *matchKey
	for left > 0 {
		ix := s.snap.Load().ix
		k := min(left+skip, max(window, 1))
		page := firstAfter(ix, &m, &ord, f.BBox, after, k)
		if len(page) == 0 {
			return true, nil
		}
		more := len(page) == k
		after = ord.keyOf(ix, page[len(page)-1])
		drop := min(skip, len(page))
		skip -= drop
		page = page[drop:]
		page = page[:min(len(page), left)]
		left -= len(page)
		if len(page) > 0 {
			ids := make([]string, len(page))
			for j, i := range page {
				ids[j] = ix.id(int(i))
			}
			if err := fn(ids); err != nil {
				return true, err
			}
		}
		if !more {
			return true, nil
		}
	}
	return true, nil
}

// firstAfter returns, in order ord, the first k incidents of ix that pass
// m and come after key (all of them when key is nil).
func firstAfter(ix *index, m *memFilter, ord *order, bbox *geo.BBox, key *matchKey, k int) []int32 {
	first := &firstK{ix: ix, ord: ord, k: k}
	eachMatch(ix, m, bbox, func(i int32) {
		if key == nil || ord.before(ix, key, i) {
			first.offer(i)
		}
	})
	return first.sorted()
}

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

// firstK keeps the k first incidents offered, in order ord, in a
// max-heap: an incident later than all k is refused with one comparison.
type firstK struct {
	ix   *index
	ord  *order
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

// before is the order: by default start time, then id (the database
// compares ids byte by byte, in the C collation).
func (f *firstK) before(a, b int32) bool { return f.ord.less(f.ix, a, b) }

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
