package server

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"incidentmap/geo"
)

// liveChange is the data of a change event: one incident a refresh of the
// index changed, as the public feed names it, with the tiles to reload.
type liveChange struct {
	ID      string    `json:"id"`
	Op      string    `json:"op"` // create, update, delete
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Updated time.Time `json:"updated"` // when the public data last changed
	Tiles   liveTiles `json:"tiles"`
	// All: every tile may have changed (the places changed, or a shape
	// spans too many tiles): reload them all.
	All bool `json:"all,omitempty"`
}

// liveTiles are the tiles that held the incident's mark (was) and hold it
// now (is), as ranges [x0, y0, x1, y1] of zoom z; at a lower zoom z', the
// same ranges shifted right by z-z' bits.
type liveTiles struct {
	Z   int         `json:"z"`
	Was [][4]uint32 `json:"was"`
	Is  [][4]uint32 `json:"is"`
}

// timedEvent is an event and the instant of its change.
type timedEvent struct {
	event liveEvent
	at    time.Time
}

// changeEvents turns the public changes list (read after b.From) into one
// event per incident, in the order of each one's last change up to b.Seq;
// an incident changed twice is named once, with the first op when it was
// created (an incident created and deleted in the batch is a delete).
func changeEvents(list []geo.Change, b LiveBatch) []timedEvent {
	type group struct {
		first, last geo.Change
	}
	groups := map[string]*group{}
	var order []string
	for _, c := range list {
		if c.Seq > b.Seq {
			break
		}
		if g, ok := groups[c.IncidentID]; ok {
			g.last = c
			continue
		}
		groups[c.IncidentID] = &group{first: c, last: c}
		order = append(order, c.IncidentID)
	}
	slices.SortFunc(order, func(x, y string) int { return cmp.Compare(groups[x].last.Seq, groups[y].last.Seq) })
	out := make([]timedEvent, 0, len(order))
	for _, id := range order {
		g := groups[id]
		op := g.last.Op
		if g.first.Op == "create" && op != "delete" {
			op = "create"
		}
		m := b.Moves[id]
		data := liveChange{ID: id, Op: op, Seq: g.last.Seq, At: g.last.At, Updated: g.last.At,
			Tiles: liveTiles{Z: LiveZoom, Was: nonNil(m.Was), Is: nonNil(m.Is)}, All: b.All}
		out = append(out, timedEvent{event: encodeEvent(g.last.Seq, "change", data), at: g.last.At})
	}
	return out
}

func nonNil(r [][4]uint32) [][4]uint32 {
	if r == nil {
		return [][4]uint32{}
	}
	return r
}

// liveState is the data of the hello and reset events: where the stream
// stands and when the public data last changed (null: never).
type liveState struct {
	Seq     int64      `json:"seq"`
	Updated *time.Time `json:"updated"`
}

func stateOf(seq int64, updated time.Time) liveState {
	s := liveState{Seq: seq}
	if !updated.IsZero() {
		s.Updated = &updated
	}
	return s
}

// helloEvent opens every stream; it has no id, so that it does not move
// the client's Last-Event-ID.
func helloEvent(seq int64, updated time.Time) []byte {
	return encodeEvent(-1, "hello", stateOf(seq, updated)).msg
}

// resetEvent tells a client to reload every tile and the list: it missed
// more than the hub can tell.
func resetEvent(seq int64, updated time.Time) liveEvent {
	return encodeEvent(seq, "reset", stateOf(seq, updated))
}

// encodeEvent writes an event of the text/event-stream format; seq < 0:
// no id.
func encodeEvent(seq int64, name string, data any) liveEvent {
	body, err := json.Marshal(data)
	if err != nil {
		panic(err) // our own plain structs always encode
	}
	msg := make([]byte, 0, len(body)+48)
	if seq >= 0 {
		msg = append(msg, "id: "...)
		msg = strconv.AppendInt(msg, seq, 10)
		msg = append(msg, '\n')
	}
	msg = append(msg, "event: "...)
	msg = append(msg, name...)
	msg = append(msg, "\ndata: "...)
	msg = append(msg, body...)
	msg = append(msg, "\n\n"...)
	return liveEvent{seq: max(seq, 0), msg: msg}
}
