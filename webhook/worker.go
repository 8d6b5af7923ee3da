package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Queue is the outbox as the worker uses it (*store.Store implements it).
// A lease gives one worker a webhook's deliveries for a while: two
// workers, in one process or two, never hold the same webhook, so never
// send the same delivery at once, and each webhook gets its deliveries in
// seq order.
type Queue interface {
	// Claim leases to owner, for lease, up to limit webhooks whose oldest
	// pending delivery is due and that no live lease holds.
	Claim(ctx context.Context, owner string, lease time.Duration, limit int) ([]Hook, error)
	// Next renews owner's lease of webhook hook and returns its oldest
	// pending delivery; ok is false when there is none, when it is not due
	// yet, or when owner no longer holds the lease.
	Next(ctx context.Context, hook int64, owner string, lease time.Duration) (d Delivery, ok bool, err error)
	// Record writes the outcome of an attempt of a pending delivery.
	Record(ctx context.Context, delivery int64, a Attempt) error
	// Release ends owner's lease of webhook hook.
	Release(ctx context.Context, hook int64, owner string) error
	// Prune deletes up to limit deliveries, delivered or failed, queued
	// longer than age ago, and returns how many it deleted.
	Prune(ctx context.Context, age time.Duration, limit int) (int64, error)
}

// Options tune a Worker; zero values take the defaults.
type Options struct {
	PublicURL    string        // the base of the incidents' URLs in the payloads
	AllowPrivate bool          // may reach loopback and private addresses (AllowPrivateEnv)
	Timeout      time.Duration // of one POST, connection included; default 10 s
	Concurrency  int           // webhooks served at once; default 4
	Poll         time.Duration // how often to look for due deliveries; default 1 s
	MaxAge       time.Duration // a delivery not delivered this long after its change fails; default 24 h
	BaseDelay    time.Duration // the first wait after a failure; default 1 s
	MaxDelay     time.Duration // the longest wait between attempts; default 1 h
	Batch        int           // deliveries sent under one claim before others get a turn; default 1000
	Keep         time.Duration // delivered and failed deliveries stay in the log this long; default 30 days
	Logger       *slog.Logger
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, 10*time.Second)
	def(&o.Poll, time.Second)
	def(&o.MaxAge, 24*time.Hour)
	def(&o.BaseDelay, time.Second)
	def(&o.MaxDelay, time.Hour)
	def(&o.Keep, 30*24*time.Hour)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Worker sends the outbox's deliveries. It never touches a write: writers
// only insert outbox rows, and the worker reads them after they commit.
type Worker struct {
	q      Queue
	o      Options
	client *http.Client
	owner  string        // this worker's name in leases
	lease  time.Duration // long enough for one POST and its record
}

// NewWorker returns a worker of q.
func NewWorker(q Queue, o Options) *Worker {
	o = o.withDefaults()
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	return &Worker{q: q, o: o, client: newClient(o.Timeout, o.AllowPrivate), owner: hex.EncodeToString(id),
		lease: 2*o.Timeout + 30*time.Second}
}

// Run delivers until ctx ends, then lets the POSTs in flight finish (each
// within Timeout), records them and releases its leases before it returns,
// so that a restart neither repeats nor waits for them. A worker that dies
// instead leaves its leases to expire; its deliveries in flight are sent
// again (at least once, never lost).
func (w *Worker) Run(ctx context.Context) {
	slots := make(chan struct{}, w.o.Concurrency)
	freed := make(chan struct{}, 1) // a slot came free: claim again without waiting for the tick
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.pruneHourly(ctx)
	}()
	tick := time.NewTicker(w.o.Poll)
	defer tick.Stop()
	for {
		if free := cap(slots) - len(slots); free > 0 {
			hooks, err := w.q.Claim(ctx, w.owner, w.lease, free)
			if err != nil && ctx.Err() == nil {
				w.o.Logger.Warn("webhooks: claim", "err", err)
			}
			for _, h := range hooks {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() {
						<-slots
						select {
						case freed <- struct{}{}:
						default:
						}
						wg.Done()
					}()
					w.drain(ctx, h)
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-freed:
		}
	}
}

// pruneHourly keeps the delivery log within Keep until ctx ends: at once,
// then every hour, deleting in batches of 10,000 (one statement each) so
// that no statement runs long.
func (w *Worker) pruneHourly(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := w.q.Prune(ctx, w.o.Keep, 10000)
			if err != nil && ctx.Err() == nil {
				w.o.Logger.Warn("webhooks: prune the delivery log", "err", err)
			}
			if err != nil || n < 10000 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// drain sends h's due deliveries in seq order, up to Batch, until one
// fails or ctx ends, then releases h.
func (w *Worker) drain(ctx context.Context, h Hook) {
	bg := context.WithoutCancel(ctx)
	defer func() {
		rctx, cancel := context.WithTimeout(bg, 5*time.Second)
		defer cancel()
		if err := w.q.Release(rctx, h.ID, w.owner); err != nil {
			w.o.Logger.Warn("webhooks: release", "webhook", h.ID, "err", err)
		}
	}()
	for range w.o.Batch {
		if ctx.Err() != nil {
			return
		}
		d, ok, err := w.q.Next(ctx, h.ID, w.owner, w.lease)
		if err != nil && ctx.Err() == nil {
			w.o.Logger.Warn("webhooks: next delivery", "webhook", h.ID, "err", err)
		}
		if !ok || !w.deliver(bg, h, d) {
			return
		}
	}
}

// deliver POSTs d to h and records the outcome; it reports whether the
// receiver took it (2xx).
func (w *Worker) deliver(ctx context.Context, h Hook, d Delivery) bool {
	a := w.post(ctx, h, d)
	if !a.Delivered {
		a.Delay, a.MaxAge = backoff(d.Attempts+1, w.o.BaseDelay, w.o.MaxDelay), w.o.MaxAge
		w.o.Logger.Info("webhooks: delivery failed", "webhook", h.ID, "delivery", d.ID, "seq", d.Seq,
			"attempt", d.Attempts+1, "status", a.Status, "err", a.Error)
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.q.Record(rctx, d.ID, a); err != nil {
		w.o.Logger.Warn("webhooks: record delivery", "webhook", h.ID, "delivery", d.ID, "err", err)
		return false
	}
	return a.Delivered
}

// post sends one delivery and reads at most 64 KiB of the answer (so that
// the connection can serve the next).
func (w *Worker) post(ctx context.Context, h Hook, d Delivery) Attempt {
	ctx, cancel := context.WithTimeout(ctx, w.o.Timeout)
	defer cancel()
	b := body(d, w.o.PublicURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(b))
	if err != nil {
		return Attempt{Error: clip(err.Error())}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "incidentmap-webhook/1")
	req.Header.Set(SignatureHeader, Sign(h.Secret, b))
	req.Header.Set("X-Incidentmap-Delivery", strconv.FormatInt(d.ID, 10))
	res, err := w.client.Do(req)
	if err != nil {
		return Attempt{Error: clip(err.Error())}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return Attempt{Delivered: true, Status: res.StatusCode}
	}
	return Attempt{Status: res.StatusCode, Error: fmt.Sprintf("the receiver answered %d", res.StatusCode)}
}
