package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Applied tells an observer (Options.OnApply) what one refresh of the
// index did: the index now holds every change of the log up to Seq.
type Applied struct {
	// From is the seq the index held before; 0 on the first load.
	From, Seq int64
	// Moves lists, by incident id, where the marks of each incident the
	// changes touched were and are. An incident that was not in the index
	// and is not now (a draft) is absent.
	Moves map[string]Move
	// All is true when every tile may have changed: the index was loaded
	// whole (Moves is nil then), the places changed, or a shape spans too
	// many tiles to list.
	All bool
}

// Move is where an incident's mark was (Was) and is (Is) in the tiles of
// zoom MaxZoom; the tiles at zoom z are the same ranges shifted right by
// MaxZoom-z bits. A line or area has two ranges: its centre and its bounds.
type Move struct {
	Was, Is []TileRange
}

// TileRange is the tiles x0..x1, y0..y1 (inclusive) of zoom MaxZoom.
type TileRange [4]uint32

// pointRange is the tile of zoom MaxZoom holding world point (x, y).
func pointRange(x, y uint32) TileRange {
	const s = 32 - MaxZoom
	return TileRange{x >> s, y >> s, x >> s, y >> s}
}

// boundRange is the tiles of zoom MaxZoom covering b.
func boundRange(b orb.Bound) TileRange {
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, MaxZoom)
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, MaxZoom)
	return TileRange{lo.X, lo.Y, hi.X, hi.Y}
}

// moveLog records Moves for apply; a nil one records nothing.
type moveLog map[string]Move

func (m moveLog) was(id string, r TileRange) {
	if m != nil {
		mv := m[id]
		mv.Was = append(mv.Was, r)
		m[id] = mv
	}
}

func (m moveLog) is(id string, r TileRange) {
	if m != nil {
		mv := m[id]
		mv.Is = append(mv.Is, r)
		m[id] = mv
	}
}

// told hands a to Options.OnApply, if any.
func (s *Service) told(a Applied) {
	if s.onApply != nil {
		s.onApply(a)
	}
}

// seqOf is the seq an index holds; 0 for none.
func seqOf(sn *snapshot) int64 {
	if sn == nil {
		return 0
	}
	return sn.seq
}
