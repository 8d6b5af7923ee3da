package server

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"incidentmap/geo"
)

// changeLog is a LiveReader over a log of public changes in memory.
type changeLog struct {
	mu   sync.Mutex
	list []geo.Change
}

func (l *changeLog) add(id, op string) LiveBatch {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq := int64(len(l.list) + 1)
	l.list = append(l.list, geo.Change{Seq: seq, IncidentID: id, Op: op, At: time.Unix(1_800_000_000+seq, 0).UTC()})
	return LiveBatch{From: seq - 1, Seq: seq, Moves: map[string]LiveMove{id: {Is: [][4]uint32{{1, 2, 1, 2}}}}}
}

func (l *changeLog) Changes(_ context.Context, since int64, _ time.Time, limit int, _ bool) ([]geo.Change, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []geo.Change
	for _, c := range l.list {
		if c.Seq > since && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (l *changeLog) LastPublicChange(context.Context) (geo.Change, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.list) == 0 {
		return geo.Change{}, nil
	}
	return l.list[len(l.list)-1], nil
}

// runHub starts a hub over log at seq 0 and stops it when the test ends.
func runHub(t *testing.T, log *changeLog, beat time.Duration) *Hub {
	h := NewHub(log, quietLogger())
	h.beat = beat
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go h.Run(ctx)
	h.Apply(LiveBatch{All: true}) // the index's first load
	waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.started })
	return h
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// seqs reads the ids of the events a subscriber holds, without waiting.
func seqs(msgs [][]byte) string {
	var out []string
	for _, m := range msgs {
		id, _, _ := strings.Cut(strings.TrimPrefix(string(m), "id: "), "\n")
		name := strings.SplitN(string(m), "event: ", 2)[1]
		out = append(out, id+":"+name[:strings.IndexByte(name, '\n')])
	}
	return strings.Join(out, " ")
}

func drain(ch chan []byte) (msgs [][]byte) {
	for {
		select {
		case m := <-ch:
			msgs = append(msgs, m)
		default:
			return msgs
		}
	}
}

func TestHubResumesFromItsRingAndResetsBeyondIt(t *testing.T) {
	log := &changeLog{}
	h := runHub(t, log, time.Hour)
	for i := range 3 {
		h.Apply(log.add(fmt.Sprintf("inc-%d", i), "create"))
		waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.seq == int64(i+1) })
	}
	_, _, missed := h.subscribe(1)
	if got := seqs(missed); got != "2:change 3:change" {
		t.Errorf("resume after 1: %s", got)
	}
	s, _, missed := h.subscribe(3)
	if len(missed) != 0 {
		t.Errorf("resume at the end: %s", seqs(missed))
	}
	h.Apply(log.add("inc-0", "update"))
	waitFor(t, func() bool { return len(s.ch) == 1 })
	if got := seqs(drain(s.ch)); got != "4:change" {
		t.Errorf("live after resume: %s", got)
	}

	h.mu.Lock()
	for i := range liveRing {
		h.record(liveEvent{seq: int64(100 + i), msg: []byte("id: x\nevent: change\n\n")})
	}
	h.seq = 100 + liveRing - 1
	h.mu.Unlock()
	drain(s.ch)
	if _, _, missed := h.subscribe(4); len(missed) != liveRing {
		t.Errorf("resume at the ring's start: %d events, want %d", len(missed), liveRing)
	}
	if _, _, missed := h.subscribe(3); seqs(missed) != fmt.Sprintf("%d:reset", h.seq) {
		t.Errorf("resume before the ring: %.200s", seqs(missed))
	}
}

func TestHubDropsAStreamThatLags(t *testing.T) {
	log := &changeLog{}
	h := runHub(t, log, time.Hour)
	slow, _, _ := h.subscribe(-1)
	fast, _, _ := h.subscribe(-1)
	for i := range liveBuffer + 1 {
		h.Apply(log.add(fmt.Sprintf("inc-%d", i), "create"))
		waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.seq == int64(i+1) })
		drain(fast.ch)
	}
	select {
	case <-slow.gone:
	default:
		t.Fatal("a stream liveBuffer+1 events behind is still open")
	}
	select {
	case <-fast.gone:
		t.Fatal("a stream that keeps up was dropped")
	default:
	}
	if h.Streams() != 1 {
		t.Errorf("%d streams open, want 1", h.Streams())
	}
}

func TestStreamHeartbeatsAndEndsOnDrain(t *testing.T) {
	h := runHub(t, &changeLog{}, 20*time.Millisecond)
	s := New(Config{Live: h, Logger: quietLogger()})
	web := httptest.NewServer(s)
	defer web.Close()
	res, err := http.Get(web.URL + "/changes/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	lines := bufio.NewScanner(res.Body)
	var got []string
	for len(got) < 6 && lines.Scan() {
		if lines.Text() != "" {
			got = append(got, lines.Text())
		}
	}
	if !strings.HasPrefix(strings.Join(got, "\n"), "retry: 2000\nevent: hello\ndata: {\"seq\":0,\"updated\":null}\n: heartbeat\n: heartbeat") {
		t.Errorf("stream began with %q", got)
	}
	ended := make(chan struct{})
	go func() {
		for lines.Scan() {
		}
		close(ended)
	}()
	s.Drain()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end when the server drained")
	}
	again, err := http.Get(web.URL + "/changes/stream")
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a stream opened while draining: %d", again.StatusCode)
	}
	waitFor(t, func() bool { return h.Streams() == 0 })
}
