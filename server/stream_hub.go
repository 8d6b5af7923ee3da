package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"incidentmap/geo"
)

// LiveReader reads what the live streams tell of each change.
type LiveReader interface {
	// Changes is HistoryReader.Changes: the public feed (all false) hides
	// drafts, and shows an incident no longer published as deleted.
	Changes(ctx context.Context, since int64, at time.Time, limit int, all bool) ([]geo.Change, error)
	// LastPublicChange returns the newest change of the public feed (zero
	// when there is none).
	LastPublicChange(ctx context.Context) (geo.Change, error)
}

// LiveBatch is what one refresh of the tile index applied (the tiles
// package's Applied, which internal/cli hands to Hub.Apply): the index
// holds every change up to Seq, and Moves tells, by incident id, the tiles
// (ranges of zoom LiveZoom) its mark was in and is in now. Moves nil: the
// index was reloaded whole; All: every tile may have changed.
type LiveBatch struct {
	From, Seq int64
	Moves     map[string]LiveMove
	All       bool
}

// LiveMove is where an incident's mark was and is: tile ranges
// [x0, y0, x1, y1] (inclusive) of zoom LiveZoom.
type LiveMove struct {
	Was, Is [][4]uint32
}

// LiveZoom is the zoom of the tile ranges of LiveMove (tiles.MaxZoom): at
// zoom z the tiles are the same ranges shifted right by LiveZoom-z bits.
const LiveZoom = 20

// Bounds of the hub's memory and work, whatever the pace of writes.
const (
	liveRing      = 1024             // events kept for clients that resume
	liveBatch     = 500              // more public changes in one refresh: one reset event
	liveBuffer    = 16               // events a stream may lag behind before it is dropped
	liveHeartbeat = 20 * time.Second // a comment to every stream, so that proxies keep it open
)

// Hub is the one broadcaster of the live streams of an instance: the tile
// index tells it what each refresh applied (Apply), it reads the public
// feed for those changes once, and hands each event to every stream. It
// keeps the last liveRing events, so that a client that reconnects with
// Last-Event-ID gets what it missed; a client further behind gets a reset
// event (refresh everything). Build it with NewHub and run Run.
type Hub struct {
	reader LiveReader
	log    *slog.Logger
	wake   chan struct{}
	beat   time.Duration // heartbeat period: liveHeartbeat

	pendingMu sync.Mutex
	pending   *LiveBatch // batches Apply merged, waiting for Run

	mu      sync.Mutex
	started bool
	seq     int64     // the index holds every change up to seq
	updated time.Time // when the public data last changed
	floor   int64     // ring holds every event after floor
	ring    []liveEvent
	subs    map[*liveSub]struct{}
}

// liveEvent is one encoded event of the stream.
type liveEvent struct {
	seq int64
	msg []byte
}

// liveSub is one open stream: the events after seq after, through a small
// buffer; gone is closed when the hub drops it for lagging.
type liveSub struct {
	ch    chan []byte
	after int64
	gone  chan struct{}
}

// NewHub returns a hub reading the feed from reader.
func NewHub(reader LiveReader, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{reader: reader, log: log, wake: make(chan struct{}, 1), beat: liveHeartbeat, subs: map[*liveSub]struct{}{}}
}

// Apply queues what a refresh of the tile index applied, for Run. It
// returns at once: batches that wait are merged into one (past liveBatch
// incidents, into a reset).
func (h *Hub) Apply(b LiveBatch) {
	h.pendingMu.Lock()
	if p := h.pending; p == nil {
		h.pending = &b
	} else {
		p.Seq, p.All = b.Seq, p.All || b.All
		if p.Moves == nil || b.Moves == nil || len(p.Moves)+len(b.Moves) > liveBatch {
			p.Moves = nil
		} else {
			for id, m := range b.Moves {
				old := p.Moves[id]
				p.Moves[id] = LiveMove{Was: append(old.Was, m.Was...), Is: m.Is}
			}
		}
	}
	h.pendingMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run turns batches into events and sends heartbeats until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	beat := time.NewTicker(h.beat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			h.broadcast(liveEvent{msg: []byte(": heartbeat\n\n")})
		case <-h.wake:
			h.pendingMu.Lock()
			b := h.pending
			h.pending = nil
			h.pendingMu.Unlock()
			if b != nil {
				h.handle(ctx, *b)
			}
		}
	}
}

// handle publishes the events of one batch.
func (h *Hub) handle(ctx context.Context, b LiveBatch) {
	h.mu.Lock()
	started := h.started
	h.mu.Unlock()
	if !started {
		last, err := h.reader.LastPublicChange(ctx)
		if err != nil {
			h.log.Warn("live: last change", "err", err)
		}
		h.start(b.Seq, last.At)
		return
	}
	if b.Moves == nil {
		h.reset(b.Seq, time.Now())
		return
	}
	list, err := h.reader.Changes(ctx, b.From, time.Time{}, liveBatch+1, false)
	if err != nil || len(list) > liveBatch {
		if err != nil {
			h.log.Warn("live: read changes: clients refresh everything", "err", err)
		}
		h.reset(b.Seq, time.Now())
		return
	}
	events := changeEvents(list, b)
	if b.All && len(events) == 0 {
		h.reset(b.Seq, time.Now()) // the places changed: every tile may show it
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range events {
		h.record(e.event)
		h.updated = e.at
	}
	h.seq = max(h.seq, b.Seq)
}

// start sets where the stream begins, once the index is first loaded;
// streams opened before that with a Last-Event-ID get a reset.
func (h *Hub) start(seq int64, updated time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.started, h.seq, h.floor, h.updated = true, seq, seq, updated
	reset := resetEvent(seq, updated)
	for s := range h.subs {
		if s.after >= 0 && s.after < seq {
			h.send(s, reset)
		}
		s.after = max(s.after, seq)
	}
}

// reset tells every stream to refresh everything (after a reload of the
// index, a burst of changes, or a failed read).
func (h *Hub) reset(seq int64, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.updated = at
	h.record(resetEvent(seq, at))
	h.seq = max(h.seq, seq)
}

// record keeps e in the ring and sends it to the streams (h.mu held).
func (h *Hub) record(e liveEvent) {
	if len(h.ring) == liveRing {
		h.floor = h.ring[0].seq
		h.ring = append(h.ring[:0], h.ring[1:]...)
	}
	h.ring = append(h.ring, e)
	for s := range h.subs {
		if e.seq > s.after {
			s.after = e.seq
			h.send(s, e)
		}
	}
}

// broadcast sends e to every stream, whatever its seq.
func (h *Hub) broadcast(e liveEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		h.send(s, e)
	}
}

// send hands e to s, or drops s when its buffer is full (h.mu held): the
// client reconnects with its Last-Event-ID and gets the rest from the ring.
func (h *Hub) send(s *liveSub, e liveEvent) {
	select {
	case s.ch <- e.msg:
	default:
		delete(h.subs, s)
		close(s.gone)
	}
}

// subscribe opens a stream that gets the events after seq after (-1: only
// those to come), and what it missed: the ring's events after after, or
// a reset when the ring no longer reaches back that far. It also returns
// the hello event (where the stream stands, when the data last changed).
func (h *Hub) subscribe(after int64) (s *liveSub, hello []byte, missed [][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s = &liveSub{ch: make(chan []byte, liveBuffer), after: after, gone: make(chan struct{})}
	hello = helloEvent(h.seq, h.updated)
	if h.started && after >= 0 && after < h.seq {
		if after < h.floor {
			missed = append(missed, resetEvent(h.seq, h.updated).msg)
		} else {
			for _, e := range h.ring {
				if e.seq > after {
					missed = append(missed, e.msg)
				}
			}
		}
	}
	if h.started {
		s.after = max(after, h.seq)
	}
	h.subs[s] = struct{}{}
	return s, hello, missed
}

// unsubscribe closes s (it may have been dropped already).
func (h *Hub) unsubscribe(s *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// Streams reports how many streams are open.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
