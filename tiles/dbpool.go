package tiles

import (
	"context"
	"time"

	"incidentmap/geo"
)

// Defaults of the bounds on tiles built from PostGIS (see Options).
const (
	defaultDBBuilds  = 3
	defaultDBQueue   = 8
	defaultDBWait    = 3 * time.Second
	defaultDBTimeout = 10 * time.Second
)

// dbPool bounds the tiles built from PostGIS: at most cap(slots) run at
// once and at most cap(queue) wait for a slot, each for at most wait. A
// build that finds the queue full or waits too long fails at once with an
// EUnavailable error (503 with Retry-After): under a flood of filtered
// tiles the server answers quickly instead of piling up queries.
type dbPool struct {
	slots   chan struct{}
	queue   chan struct{}
	wait    time.Duration
	timeout time.Duration // of one build, once it has its slot
}

func newDBPool(o Options) *dbPool {
	or := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	p := &dbPool{slots: make(chan struct{}, or(o.DBBuilds, defaultDBBuilds)),
		queue: make(chan struct{}, or(o.DBQueue, defaultDBQueue)), wait: o.DBWait, timeout: o.DBTimeout}
	if p.wait <= 0 {
		p.wait = defaultDBWait
	}
	if p.timeout <= 0 {
		p.timeout = defaultDBTimeout
	}
	return p
}

// errDBBusy is the answer when no slot is free in time.
var errDBBusy = &geo.Error{Code: geo.EUnavailable, Message: "too many tiles with filters the tile index does not hold " +
	"(q, actor, admin1, as_of) are being built from the database; try again in a few seconds"}

// acquire takes a slot, waiting in the queue when there is room in it.
// It fails with errDBBusy, or with ctx's error when ctx ends first. The
// caller calls release once its build is done.
func (p *dbPool) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-p.slots }
	select {
	case p.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case p.queue <- struct{}{}:
		defer func() { <-p.queue }()
	default:
		return nil, errDBBusy
	}
	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	select {
	case p.slots <- struct{}{}:
		return release, nil
	case <-timer.C:
		return nil, errDBBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run calls build with a slot and a deadline: past p.timeout the build's
// context ends (PostgreSQL cancels its query) and run fails with an
// EUnavailable error, unless ctx itself ended, whose error it returns.
func (p *dbPool) run(ctx context.Context, build func(ctx context.Context) error) error {
	release, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	bctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	err = build(bctx)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && bctx.Err() != nil {
		return &geo.Error{Code: geo.EUnavailable, Message: "the tile took longer than " + p.timeout.String() +
			" to build from the database; narrow the filters or the time window, or try again later"}
	}
	return err
}

// NeedsDatabase reports whether tiles for f are built from PostGIS, in the
// bounded pool, rather than from the in-memory index: f filters on what
// the index does not hold (q, actor, admin1, as_of, status). Such tiles
// cost a query each; callers may rate limit them.
func (s *Service) NeedsDatabase(f geo.Filter) bool {
	_, inMemory := compile(f)
	return !inMemory
}
