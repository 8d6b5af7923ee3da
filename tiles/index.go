package tiles

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
)

// index is an immutable snapshot of every published incident's summary,
// stored column by column and sorted by Morton code. Text lives in one byte
// arena so that ten million incidents cost the garbage collector almost
// nothing to scan.
type index struct {
	codes  []uint64 // sorted
	x, y   []uint32 // world coordinates of the point (centroid of lines and areas)
	start  []int64  // unix microseconds
	end    []int64  // unix microseconds, inclusive
	best   []int32  // fatalities_best, -1 when unknown
	attrs  []attrs
	text   []byte   // id, title and location of each incident, back to back
	offs   []uint32 // 3 per incident: where its id, title and location start; the next one ends it
	shapes map[int32]orb.Geometry
	pubs   []uint32   // the publishers of each incident's sources: a position in pubSets
	sets   [][]string // the distinct lists of publishers (sorted, one per source), interned
	pyr    *pyramid   // sums for the low zooms' tiles; nil: none (tiles are scanned)

	// shapeSet is a *shapeSet, built at first need (see shapeBound).
	shapeSet atomic.Value
}

// attrs packs the small attributes of an incident.
type attrs struct {
	eventType, subType, precision uint8
	country                       uint16
}

// Lengths at which text is cut in tiles; the full text is in the API.
const (
	maxTitle    = 120
	maxLocation = 80
)

func (ix *index) len() int { return len(ix.codes) }

func (ix *index) str(i, field int) string { return string(ix.bytes(i, field)) }

// bytes is the text of one field of incident i, without copying it.
func (ix *index) bytes(i, field int) []byte {
	k := 3*i + field
	end := uint32(len(ix.text))
	if k+1 < len(ix.offs) {
		end = ix.offs[k+1]
	}
	return ix.text[ix.offs[k]:end]
}

func (ix *index) id(i int) string       { return ix.str(i, 0) }
func (ix *index) title(i int) string    { return ix.str(i, 1) }
func (ix *index) location(i int) string { return ix.str(i, 2) }

// search returns the positions [from, to) of the incidents inside a Morton
// range (see mortonRange).
func (ix *index) search(lo, hi uint64, toEnd bool) (int, int) {
	from, _ := slices.BinarySearch(ix.codes, lo)
	if toEnd {
		return from, len(ix.codes)
	}
	to, _ := slices.BinarySearch(ix.codes, hi)
	return from, to
}

// builder gathers incidents for a new index.
type builder struct {
	ix     index
	setIDs map[string]uint32 // interns ix.sets
}

// intern returns the position of a list of publishers in b.ix.sets.
func (b *builder) intern(pubs []string) uint32 {
	if b.setIDs == nil {
		b.setIDs = map[string]uint32{}
	}
	key := strings.Join(pubs, "\x00")
	id, ok := b.setIDs[key]
	if !ok {
		id = uint32(len(b.ix.sets))
		b.ix.sets = append(b.ix.sets, pubs)
		b.setIDs[key] = id
	}
	return id
}

// publishers returns the publishers of incident i, one per source.
func (ix *index) publishers(i int) []string { return ix.sets[ix.pubs[i]] }

// reserve makes room for about n incidents (a little more, for an estimate).
func (b *builder) reserve(n int) {
	if n <= 0 {
		return
	}
	n += n/50 + 1024
	ix := &b.ix
	ix.codes, ix.x, ix.y = make([]uint64, 0, n), make([]uint32, 0, n), make([]uint32, 0, n)
	ix.start, ix.end, ix.best = make([]int64, 0, n), make([]int64, 0, n), make([]int32, 0, n)
	ix.attrs, ix.offs = make([]attrs, 0, n), make([]uint32, 0, 3*n)
	ix.pubs = make([]uint32, 0, n)
	ix.text = make([]byte, 0, 64*n)
}

func (b *builder) addSummary(s *geo.Summary) {
	if s.Geometry == nil {
		return
	}
	pt, ok := s.Geometry.(orb.Point)
	if !ok {
		pt = s.Geometry.Bound().Center()
		b.ix.shapes = lazyMap(b.ix.shapes)
		b.ix.shapes[int32(len(b.ix.codes))] = s.Geometry
	}
	x, y := worldXY(pt)
	best := int32(-1)
	if s.FatalitiesBest != nil {
		best = int32(min(*s.FatalitiesBest, 1<<31-1))
	}
	pubs := slices.Clone(s.Publishers)
	slices.Sort(pubs)
	b.appendColumns(x, y, micros(s.StartsAt), micros(s.EndsAt), best, attrsOf(s), b.intern(pubs))
	for _, t := range []string{s.ID, cut(s.Title, maxTitle), cut(s.Location, maxLocation)} {
		b.appendText([]byte(t))
	}
}

// addFrom copies incident i of an older index, text and all, without
// allocating; set is the position of its publishers in b's sets.
func (b *builder) addFrom(old *index, i int, set uint32) {
	if g, ok := old.shapes[int32(i)]; ok {
		b.ix.shapes = lazyMap(b.ix.shapes)
		b.ix.shapes[int32(len(b.ix.codes))] = g
	}
	b.appendColumns(old.x[i], old.y[i], old.start[i], old.end[i], old.best[i], old.attrs[i], set)
	for f := range 3 {
		b.appendText(old.bytes(i, f))
	}
}

func (b *builder) appendColumns(x, y uint32, start, end int64, best int32, a attrs, set uint32) {
	ix := &b.ix
	ix.codes = append(ix.codes, morton(x, y))
	ix.x, ix.y = append(ix.x, x), append(ix.y, y)
	ix.start, ix.end = append(ix.start, start), append(ix.end, end)
	ix.best, ix.attrs = append(ix.best, best), append(ix.attrs, a)
	ix.pubs = append(ix.pubs, set)
}

func (b *builder) appendText(t []byte) {
	b.ix.offs = append(b.ix.offs, uint32(len(b.ix.text)))
	b.ix.text = append(b.ix.text, t...)
}

// merge returns the index of old's incidents but those drop picks, and of
// every incident of added (already sorted): one pass over both, with no
// sort, copying the runs of old incidents between two changes column by
// column, so that applying a few writes costs little more than a copy of
// the index. drop is asked once about each old incident, in order.
func merge(old *index, drop func(i int) bool, added *index) *index {
	var b builder
	n := old.len() + added.len()
	ix := &b.ix
	ix.codes, ix.x, ix.y = make([]uint64, 0, n), make([]uint32, 0, n), make([]uint32, 0, n)
	ix.start, ix.end, ix.best = make([]int64, 0, n), make([]int64, 0, n), make([]int32, 0, n)
	ix.attrs, ix.offs, ix.pubs = make([]attrs, 0, n), make([]uint32, 0, 3*n), make([]uint32, 0, n)
	ix.text = make([]byte, 0, len(old.text)+len(added.text))
	// old's publisher lists keep their positions; added's are interned after them.
	for _, set := range old.sets {
		b.intern(set)
	}
	sets := make([]uint32, len(added.sets))
	for k, set := range added.sets {
		sets[k] = b.intern(set)
	}
	run, j := 0, 0 // old[run:i] waits to be copied
	for i := range old.len() {
		dropped := drop(i)
		if !dropped && (j == added.len() || old.codes[i] <= added.codes[j]) {
			continue
		}
		b.copyRun(old, run, i)
		run = i
		for ; j < added.len() && added.codes[j] < old.codes[i]; j++ {
			b.addFrom(added, j, sets[added.pubs[j]])
		}
		if dropped {
			run = i + 1
		}
	}
	b.copyRun(old, run, old.len())
	for ; j < added.len(); j++ {
		b.addFrom(added, j, sets[added.pubs[j]])
	}
	return &b.ix
}

// copyRun appends old's incidents [from, to), whose publisher lists have
// the same positions in b, with a few bulk copies.
func (b *builder) copyRun(old *index, from, to int) {
	if from >= to {
		return
	}
	ix := &b.ix
	base := len(ix.codes)
	ix.codes = append(ix.codes, old.codes[from:to]...)
	ix.x, ix.y = append(ix.x, old.x[from:to]...), append(ix.y, old.y[from:to]...)
	ix.start, ix.end = append(ix.start, old.start[from:to]...), append(ix.end, old.end[from:to]...)
	ix.best, ix.attrs = append(ix.best, old.best[from:to]...), append(ix.attrs, old.attrs[from:to]...)
	ix.pubs = append(ix.pubs, old.pubs[from:to]...)
	textFrom, textTo := old.offs[3*from], uint32(len(old.text))
	if 3*to < len(old.offs) {
		textTo = old.offs[3*to]
	}
	shift := uint32(len(ix.text)) - textFrom // modular: may move text back
	for _, o := range old.offs[3*from : 3*to] {
		ix.offs = append(ix.offs, o+shift)
	}
	ix.text = append(ix.text, old.text[textFrom:textTo]...)
	for k, g := range old.shapes {
		if int(k) >= from && int(k) < to {
			ix.shapes = lazyMap(ix.shapes)
			ix.shapes[int32(base+int(k)-from)] = g
		}
	}
}

// finish sorts the gathered incidents by Morton code and returns the index.
// The builder is consumed: each column is reordered into a new slice and
// the old one dropped at once, so that at ten million incidents the peak is
// the index plus one column, not two indexes.
func (b *builder) finish() *index {
	src := b.ix
	b.ix = index{}
	n := len(src.codes)
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		ca, cb := src.codes[a], src.codes[b]
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return int(a - b)
	})
	out := &index{shapes: map[int32]orb.Geometry{}}
	out.codes, src.codes = gather(src.codes, perm), nil
	out.x, src.x = gather(src.x, perm), nil
	out.y, src.y = gather(src.y, perm), nil
	out.start, src.start = gather(src.start, perm), nil
	out.end, src.end = gather(src.end, perm), nil
	out.best, src.best = gather(src.best, perm), nil
	out.attrs, src.attrs = gather(src.attrs, perm), nil
	out.pubs, src.pubs, out.sets = gather(src.pubs, perm), nil, src.sets
	out.offs = make([]uint32, 0, 3*n)
	out.text = make([]byte, 0, len(src.text))
	for i, p := range perm {
		for f := 0; f < 3; f++ {
			out.offs = append(out.offs, uint32(len(out.text)))
			out.text = append(out.text, src.bytes(int(p), f)...)
		}
		if g, ok := src.shapes[p]; ok {
			out.shapes[int32(i)] = g
		}
	}
	if len(out.shapes) == 0 {
		out.shapes = nil
	}
	return out
}

// gather returns col reordered by perm.
func gather[T any](col []T, perm []int32) []T {
	out := make([]T, len(perm))
	for i, p := range perm {
		out[i] = col[p]
	}
	return out
}

func lazyMap(m map[int32]orb.Geometry) map[int32]orb.Geometry {
	if m == nil {
		return map[int32]orb.Geometry{}
	}
	return m
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// Codes of the small attributes: positions in these lists.
var (
	eventTypeList = []string{"battles", "explosions_remote_violence", "violence_against_civilians",
		"protests", "riots", "strategic_developments"}
	subTypeList = func() []string {
		out := []string{""}
		for _, et := range eventTypeList {
			out = append(out, geo.EventTypes[et]...)
		}
		return out
	}()
)

func attrsOf(s *geo.Summary) attrs {
	return attrs{
		eventType: uint8(max(slices.Index(eventTypeList, s.EventType), 0)),
		subType:   uint8(max(slices.Index(subTypeList, s.SubEventType), 0)),
		precision: uint8(max(slices.Index(geo.GeoPrecisions, s.GeoPrecision), 0)),
		country:   countryCode(s.Country),
	}
}

func countryCode(c string) uint16 {
	if len(c) != 2 {
		return 0
	}
	return uint16(c[0])<<8 | uint16(c[1])
}
