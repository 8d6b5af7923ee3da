package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// ExportLimits bound the streamed exports (CSV, GeoJSONSeq) of
// /collections/incidents/items, so that clients who read slowly, or
// never, cannot hold the server's export slots or its database pool.
// Zero fields take their defaults. How many exports one client runs at once
// is the rule of every expensive request (limitExpensive), not one of these.
type ExportLimits struct {
	// Total is how many exports run at once in all; one more answers 503
	// with Retry-After. It bounds the memory exports hold (a batch of
	// rows each). Their database connections are bounded apart, per
	// query, below the read pool's size (store.Options.ExportConns), so
	// that interactive reads always find a connection however many
	// exports stream. Default 32.
	Total int
	// WriteIdle ends an export whose client has taken nothing for this
	// long: every write gets a fresh deadline. Default 30 s.
	WriteIdle time.Duration
	// MaxDuration ends any export that takes longer. Default 30 min.
	MaxDuration time.Duration
}

func (l ExportLimits) withDefaults() ExportLimits {
	if l.Total <= 0 {
		l.Total = 32
	}
	if l.WriteIdle <= 0 {
		l.WriteIdle = 30 * time.Second
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = 30 * time.Minute
	}
	return l
}

// exportSlots counts the exports running in all.
type exportSlots struct {
	limits ExportLimits
	mu     sync.Mutex
	total  int
}

func newExportSlots(l ExportLimits) *exportSlots {
	return &exportSlots{limits: l.withDefaults()}
}

// acquire takes a slot for an export, or answers 503 when the server runs
// Total already. The caller must call release once the export has ended.
func (e *exportSlots) acquire() (release func(), err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.total >= e.limits.Total {
		return nil, &geo.Error{Code: geo.EUnavailable,
			Message: "the server runs as many exports as it can: retry in a few seconds"}
	}
	e.total++
	var once sync.Once
	return func() { once.Do(e.release) }, nil
}

func (e *exportSlots) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total--
}

// export runs stream as an export of c: within a slot (see acquire), with a
// context that ends after MaxDuration, and with a write deadline renewed
// by every write (see lazyWriter), so that a client that stops reading is
// cut after WriteIdle instead of holding the slot.
func (s *Server) export(c echo.Context, stream func(ctx context.Context, idle time.Duration) error) error {
	release, err := s.exports.acquire()
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.exports.limits.MaxDuration)
	defer cancel()
	return stream(ctx, s.exports.limits.WriteIdle)
}

// writeDeadline renews the write deadline of a streamed answer: at most
// once a second, to now + idle (never past the context's deadline).
type writeDeadline struct {
	rc      *http.ResponseController
	idle    time.Duration
	end     time.Time // zero: none
	renewed time.Time
}

func newWriteDeadline(ctx context.Context, c echo.Context, idle time.Duration) *writeDeadline {
	d := &writeDeadline{rc: http.NewResponseController(c.Response().Writer), idle: idle}
	d.end, _ = ctx.Deadline()
	d.renew()
	return d
}

func (d *writeDeadline) renew() {
	now := time.Now()
	if now.Sub(d.renewed) < time.Second {
		return
	}
	d.renewed = now
	at := now.Add(d.idle)
	if !d.end.IsZero() && d.end.Before(at) {
		at = d.end
	}
	_ = d.rc.SetWriteDeadline(at)
}
