package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"incidentmap/geo"
)

// StreamLimits bound the open live streams (/changes/stream).
type StreamLimits struct {
	PerClient int // per client (its c.RealIP()); default 16
	Total     int // on this instance; default 5000
}

// streamWriteWait is how long a stream waits for one write to reach the
// client before it gives the client up.
const streamWriteWait = 15 * time.Second

// liveStreams counts the open streams against StreamLimits, and ends them
// all when the server drains.
type liveStreams struct {
	limits  StreamLimits
	clients clientCounts
	total   atomic.Int64
	stop    chan struct{}
	once    sync.Once
}

func newLiveStreams(l StreamLimits) *liveStreams {
	if l.PerClient <= 0 {
		l.PerClient = 16
	}
	if l.Total <= 0 {
		l.Total = 5000
	}
	return &liveStreams{limits: l, clients: clientCounts{n: map[string]int{}}, stop: make(chan struct{})}
}

// end ends every stream, and refuses new ones (the server is draining:
// clients reconnect, through the load balancer, to another instance).
func (ls *liveStreams) end() { ls.once.Do(func() { close(ls.stop) }) }

// take counts one more stream of client, or answers why not: 503 while
// draining or when the instance has Total, 429 when the client has
// PerClient open already. The operator (isOperator) has no per-client
// cap. give undoes it.
func (ls *liveStreams) take(c echo.Context) error {
	select {
	case <-ls.stop:
		c.Response().Header().Set("Retry-After", "2")
		return &geo.Error{Code: geo.EUnavailable, Message: "this instance is shutting down: reconnect"}
	default:
	}
	if ls.total.Add(1) > int64(ls.limits.Total) {
		ls.total.Add(-1)
		return &geo.Error{Code: geo.EUnavailable, Message: "too many live streams on this server: retry later"}
	}
	if !isOperator(c.Request()) && !ls.clients.take(c.RealIP(), ls.limits.PerClient) {
		ls.total.Add(-1)
		c.Response().Header().Set("Retry-After", "10")
		return echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf(
			"this client already has %d live streams open: close one first", ls.limits.PerClient))
	}
	return nil
}

// register adds the gauge of open streams to reg.
func (ls *liveStreams) register(reg *prometheus.Registry) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "incidentmap_live_streams", Help: "Open /changes/stream connections.",
	}, func() float64 { return float64(ls.total.Load()) }))
}

func (ls *liveStreams) give(c echo.Context) {
	ls.total.Add(-1)
	if !isOperator(c.Request()) {
		ls.clients.give(c.RealIP())
	}
}

// changeStream answers /changes/stream: server-sent events of the
// published changes, each with the tiles to reload (see liveChange), from
// after Last-Event-ID (or ?since=SEQ) when given. Drafts never appear.
// The stream ends when the client goes, lags liveBuffer events behind
// (it reconnects and resumes), or the server drains.
func (s *Server) changeStream(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, []string{"since"}); err != nil {
		return err
	}
	after, err := streamStart(c.Request().Header.Get("Last-Event-ID"), q.Get("since"))
	if err != nil {
		return err
	}
	if err := s.streams.take(c); err != nil {
		return err
	}
	defer s.streams.give(c)
	sub, hello, missed := s.live.subscribe(after)
	defer s.live.unsubscribe(sub)

	w := c.Response()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // the server's ReadTimeout would end the stream
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx passes each event on at once
	w.WriteHeader(http.StatusOK)
	write := func(msg []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
		if _, err := w.Write(msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(append([]byte("retry: 2000\n"), hello...)) {
		return nil
	}
	for _, msg := range missed {
		if !write(msg) {
			return nil
		}
	}
	done := c.Request().Context().Done()
	for {
		select {
		case msg := <-sub.ch:
			if !write(msg) {
				return nil
			}
		case <-sub.gone:
			return nil
		case <-s.streams.stop:
			return nil
		case <-done:
			return nil
		}
	}
}

// streamStart is the seq after which a stream starts: the Last-Event-ID
// header of a reconnecting EventSource, else since; -1 (only changes to
// come) without either.
func streamStart(lastID, since string) (int64, error) {
	name, v := "Last-Event-ID", lastID
	if strings.TrimSpace(v) == "" {
		name, v = "since", since
	}
	if strings.TrimSpace(v) == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, geo.Invalid(name, "%q is not a change number (a seq of /changes)", safe(v))
	}
	return n, nil
}
