package tiles

import (
	"context"
	"errors"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Limits of incremental updates: past them the index is reloaded whole.
const (
	maxIncremental = 50000
	pollEvery      = 10 * time.Second
	retryEvery     = 2 * time.Second
)

// Run loads the index, then applies every write the database announces
// until ctx ends. Failures (the database down) are logged and retried; Run
// returns only when ctx ends.
func (s *Service) Run(ctx context.Context) {
	go func() {
		for ctx.Err() == nil {
			if err := s.src.Listen(ctx, s.Notify); err != nil {
				s.log.Warn("tiles: listen for changes", "err", err)
			}
			sleep(ctx, retryEvery)
		}
	}()
	for ctx.Err() == nil {
		if err := s.refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("tiles: refresh index", "err", err)
			sleep(ctx, retryEvery)
			continue
		}
		s.saveNow(ctx)
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-time.After(pollEvery):
		}
	}
}

// Notify asks Run to look for changes now.
func (s *Service) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// refresh loads the index the first time (from the saved file when it
// can, see loadSaved), then applies what changed.
func (s *Service) refresh(ctx context.Context) error {
	old := s.snap.Load()
	if old == nil {
		if sn := s.loadSaved(ctx); sn != nil {
			s.publish(sn)
			s.told(Applied{Seq: sn.seq, All: true})
			return nil
		}
		return s.reload(ctx, nil)
	}
	next, dirty, everything, moves, err := s.advance(ctx, old)
	if errors.Is(err, errBehind) {
		return s.reload(ctx, old)
	}
	if err != nil || next == nil {
		return err
	}
	if dirty != nil {
		s.cache.invalidate(next.gen, dirty)
	}
	if everything {
		s.cache.invalidateAll(next.gen)
	}
	s.snap.Store(next)
	s.told(Applied{From: old.seq, Seq: next.seq, Moves: moves, All: everything})
	return nil
}

// errBehind is advance's answer when more than maxIncremental changes
// wait: reloading the whole index is cheaper then.
var errBehind = errors.New("tiles: too many changes to apply one by one")

// advance returns old with the changes made after old.seq applied (nil
// when there are none), the tiles they touched, whether every tile
// must go (places changed, or a shape too wide to list its tiles) and,
// for Options.OnApply, where each incident was and is.
func (s *Service) advance(ctx context.Context, old *snapshot) (next *snapshot, dirty map[maptile.Tile]bool, everything bool, moves moveLog, err error) {
	ids, last, more, err := s.src.ChangesSince(ctx, old.seq, maxIncremental)
	if err != nil {
		return nil, nil, false, nil, err
	}
	if more {
		return nil, nil, false, nil, errBehind
	}
	places, err := s.src.AllPlaces(ctx)
	if err != nil {
		return nil, nil, false, nil, err
	}
	placesChanged := !reflect.DeepEqual(places, old.places)
	if len(ids) == 0 && !placesChanged {
		return nil, nil, false, nil, nil
	}
	changed, err := s.src.Summaries(ctx, ids)
	if err != nil {
		return nil, nil, false, nil, err
	}
	next = &snapshot{ix: old.ix, places: places, seq: last, gen: old.gen + 1}
	everything = placesChanged // places are few: any change redraws every tile
	if s.onApply != nil {
		moves = moveLog{}
	}
	if len(ids) > 0 {
		ix, touched, tooWide := applyLogged(old.ix, ids, changed, moves)
		next.ix, dirty, everything = ix, touched, everything || tooWide
	}
	s.log.Info("tiles: applied changes", "incidents", len(ids), "places_changed", placesChanged,
		"all_tiles", everything, "seq", last)
	return next, dirty, everything, moves, nil
}

// reload reads every published incident into a new index.
func (s *Service) reload(ctx context.Context, old *snapshot) error {
	started := time.Now()
	defer collectOftenWhileLoading()()
	seq, err := s.src.LastChange(ctx)
	if err != nil {
		return err
	}
	places, err := s.src.AllPlaces(ctx)
	if err != nil {
		return err
	}
	var b builder
	if n, err := s.src.EstimateIncidents(ctx); err == nil {
		b.reserve(n) // growing by appends would hold two copies of each column at times
	}
	err = s.src.EachSummary(ctx, geo.Filter{}, nil, func(sum geo.Summary) error {
		b.addSummary(&sum)
		return nil
	})
	if err != nil {
		return err
	}
	next := &snapshot{ix: withPyramid(b.finish()), places: places, seq: seq, gen: 1}
	defer debug.FreeOSMemory() // the builder's garbage is as large as the index
	if old != nil {
		next.gen = old.gen + 1
		s.cache.invalidateAll(next.gen)
	}
	s.publish(next)
	s.told(Applied{From: seqOf(old), Seq: next.seq, All: true})
	s.log.Info("tiles: index loaded", "incidents", next.ix.len(), "took", time.Since(started).String())
	return nil
}

// loadGCPercent is the garbage collector's target while an index loads
// whole. The builder's columns are live from the start, and while finish
// sorts them their sorted copies too (2 GB at 10M incidents): the default
// pacing (GOGC 100) lets garbage grow as large again on top, to a peak of
// 4.5 GB at 10M; at 25 the heap stays near what is live.
const loadGCPercent = 25

// collectOftenWhileLoading sets the garbage collector's target to
// loadGCPercent, unless it is lower already, and returns what restores it.
func collectOftenWhileLoading() (restore func()) {
	was := debug.SetGCPercent(loadGCPercent)
	if was >= 0 && was < loadGCPercent {
		debug.SetGCPercent(was)
	}
	return func() { debug.SetGCPercent(was) }
}

// apply returns a new index without the incidents ids and with changed (the
// ones among ids that are still published), and the tiles at every zoom
// that held an old or a new position of one of them; all is true when a
// shape covers too many tiles to list and every tile must go.
func apply(old *index, ids []string, changed []geo.Summary) (next *index, dirty map[maptile.Tile]bool, all bool) {
	return applyLogged(old, ids, changed, nil)
}

// applyLogged is apply that also records in moves (when not nil) where
// each incident's marks were and are.
func applyLogged(old *index, ids []string, changed []geo.Summary, moves moveLog) (next *index, dirty map[maptile.Tile]bool, all bool) {
	gone := make(map[string]bool, len(ids))
	looks := make(map[uint32]bool, len(ids)) // a cheap first test: length, first and last byte
	for _, id := range ids {
		gone[id] = true
		looks[idLook([]byte(id))] = true
	}
	dirty = map[maptile.Tile]bool{}
	var dropped []int32
	drop := func(i int) bool {
		id := old.bytes(i, 0)
		if !looks[idLook(id)] || !gone[string(id)] {
			return false
		}
		dropped = append(dropped, int32(i))
		markPoint(dirty, old.x[i], old.y[i])
		moves.was(string(id), pointRange(old.x[i], old.y[i]))
		if g, ok := old.shapes[int32(i)]; ok {
			all = all || !markBound(dirty, g.Bound())
			moves.was(string(id), boundRange(g.Bound()))
		}
		return true
	}
	var fresh builder
	for i := range changed {
		fresh.addSummary(&changed[i])
		if changed[i].Geometry == nil {
			continue
		}
		pt, ok := changed[i].Geometry.(orb.Point)
		if !ok {
			pt = changed[i].Geometry.Bound().Center()
			all = all || !markBound(dirty, changed[i].Geometry.Bound())
			moves.is(changed[i].ID, boundRange(changed[i].Geometry.Bound()))
		}
		x, y := worldXY(pt)
		markPoint(dirty, x, y)
		moves.is(changed[i].ID, pointRange(x, y))
	}
	added := fresh.finish()
	next = merge(old, drop, added)
	next.pyr = old.pyr.updated(next, old, dropped, added)
	return next, dirty, all
}

// idLook packs the length, first and last byte of an id.
func idLook(id []byte) uint32 {
	if len(id) == 0 {
		return 0
	}
	return uint32(len(id))<<16 | uint32(id[0])<<8 | uint32(id[len(id)-1])
}

// markPoint marks the tiles whose incidents layer world point (x, y) can
// change at every zoom: the tile holding it, and the neighbours whose
// layout margin (one cluster cell, an eighth of a tile) holds it, for the
// spacing of their marks reads it (see spacing.go).
func markPoint(dirty map[maptile.Tile]bool, x, y uint32) {
	for z := 0; z <= MaxZoom; z++ {
		s := 32 - uint(z) - 3 // to the cluster cells, tiles of zoom z+3
		cx, cy := int64(uint64(x)>>s), int64(uint64(y)>>s)
		last := int64(1)<<z - 1
		for ty := (cy - 1) >> 3; ty <= (cy+1)>>3; ty++ {
			for tx := (cx - 1) >> 3; tx <= (cx+1)>>3; tx++ {
				if tx >= 0 && ty >= 0 && tx <= last && ty <= last {
					dirty[maptile.Tile{X: uint32(tx), Y: uint32(ty), Z: maptile.Zoom(z)}] = true
				}
			}
		}
	}
}

// markBound marks the tiles covering a line or area at every zoom. It
// reports false, having marked only some, when the shape spans more than a
// few thousand tiles at some zoom.
func markBound(dirty map[maptile.Tile]bool, b orb.Bound) bool {
	for z := 0; z <= MaxZoom; z++ {
		lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z))
		hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
		if uint64(hi.X-lo.X+1)*uint64(hi.Y-lo.Y+1) > 4096 {
			return false
		}
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				dirty[maptile.Tile{X: x, Y: y, Z: maptile.Zoom(z)}] = true
			}
		}
	}
	return true
}

// Sync waits until the index holds every write committed before the call,
// so that a writer reads its own write at once in items and tiles. It
// returns at once while the index is not loaded (PostGIS answers then),
// and fails when ctx ends first or the database cannot be asked.
func (s *Service) Sync(ctx context.Context) error {
	if s.snap.Load() == nil {
		return nil
	}
	seq, err := s.src.LastChange(ctx)
	if err != nil {
		return err
	}
	s.Notify()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for s.snap.Load().seq < seq {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
