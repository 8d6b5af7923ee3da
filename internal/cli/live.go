package cli

import (
	"incidentmap/server"
	"incidentmap/tiles"
)

// liveBatch hands what each refresh of the tile index applied to the live
// streams' hub, so that a stream tells a change only once this instance's
// tiles show it.
// The ranges of tiles.Move are those of server.LiveZoom (a compile error
// when the two differ).
const _ = uint(tiles.MaxZoom-server.LiveZoom) + uint(server.LiveZoom-tiles.MaxZoom)

func liveBatch(hub *server.Hub) func(tiles.Applied) {
	return func(a tiles.Applied) {
		b := server.LiveBatch{From: a.From, Seq: a.Seq, All: a.All}
		if a.Moves != nil {
			b.Moves = make(map[string]server.LiveMove, len(a.Moves))
			for id, m := range a.Moves {
				b.Moves[id] = server.LiveMove{Was: ranges(m.Was), Is: ranges(m.Is)}
			}
		}
		hub.Apply(b)
	}
}

func ranges(rs []tiles.TileRange) [][4]uint32 {
	out := make([][4]uint32, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}
