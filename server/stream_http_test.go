package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"incidentmap/internal/testenv/testapp"
)

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct {
	ID, Name, Data string
	Comment        bool
}

// sseStream is an open /changes/stream.
type sseStream struct {
	res    *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

// openStream opens /changes/stream with headers (name, value, ...) and
// reads its events in the background until the test ends.
func openStream(t *testing.T, a *testapp.App, query string, header ...string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+"/changes/stream"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sseStream{res: res, events: make(chan sseEvent, 256), cancel: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		return s
	}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e != (sseEvent{}) {
					s.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ":"):
				e.Comment = true
			case strings.HasPrefix(line, "id: "):
				e.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.Name = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.Data = line[6:]
			}
		}
	}()
	return s
}

// next returns the next event named name (skipping others), or fails
// after within.
func (s *sseStream) next(t *testing.T, name string, within time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatalf("stream ended before a %s event", name)
			}
			if e.Name == name {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event within %v", name, within)
		}
	}
}

// quiet fails if a change event comes within d.
func (s *sseStream) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case e := <-s.events:
			if e.Name == "change" || e.Name == "reset" {
				t.Fatalf("unexpected event %s %s", e.Name, e.Data)
			}
		case <-deadline:
			return
		}
	}
}

type changeData struct {
	ID, Op  string
	Seq     int64
	At      time.Time
	Updated time.Time
	Tiles   struct {
		Z       int
		Was, Is [][4]uint32
	}
}

func decodeChange(t *testing.T, e sseEvent) changeData {
	t.Helper()
	var c changeData
	if err := json.Unmarshal([]byte(e.Data), &c); err != nil {
		t.Fatalf("change event %q: %v", e.Data, err)
	}
	return c
}

func TestChangeStream(t *testing.T) {
	a := testapp.Start(t)
	a.WaitTileIndex(t)
	editor := a.NewToken(t, "editor-live", "editor")
	items := "/collections/incidents/items"
	live := openStream(t, a, "")

	t.Run("headers keep proxies and caches out of the way", func(t *testing.T) {
		h := live.res.Header
		if live.res.StatusCode != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") ||
			h.Get("Cache-Control") != "no-cache" || h.Get("X-Accel-Buffering") != "no" || h.Get("Content-Encoding") != "" {
			t.Errorf("%d %v", live.res.StatusCode, h)
		}
		hello := live.next(t, "hello", 5*time.Second)
		if hello.ID != "" || !strings.Contains(hello.Data, `"updated":"`) {
			t.Errorf("hello: %+v", hello)
		}
	})

	var created changeData
	t.Run("a write is an event with its tiles, once this instance's tiles show it", func(t *testing.T) {
		written := time.Now()
		res, body := a.Do(t, "POST", items, editor, strings.NewReader(testapp.NewIncident), "Content-Type", "application/geo+json")
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("POST: %d %s", res.StatusCode, body)
		}
		e := live.next(t, "change", 5*time.Second)
		t.Logf("event %v after the write", time.Since(written))
		created = decodeChange(t, e)
		want := maptile.At(testapp.Sevare, 20)
		if created.ID != "test-sevare-2022-05" || created.Op != "create" || e.ID == "" || e.ID != jsonInt(created.Seq) ||
			created.Tiles.Z != 20 || len(created.Tiles.Was) != 0 || len(created.Tiles.Is) != 1 ||
			created.Tiles.Is[0] != [4]uint32{want.X, want.Y, want.X, want.Y} || created.Updated.IsZero() {
			t.Fatalf("event %+v: %+v (want tile %v)", e, created, want)
		}
		tile, _ := testapp.TilePath(testapp.Sevare, 12)
		if ids := testapp.FeatureIDs(a.TileLayers(t, tile+"?datetime=2022-05-10")["incidents"]); !contains(ids, created.ID) {
			t.Errorf("the event came before the tile shows it: %v", ids)
		}
	})

	draft := strings.Replace(strings.Replace(testapp.NewIncident, "test-sevare-2022-05", "test-live-draft", 1),
		`"fatalities_best": 3,`, `"fatalities_best": 3, "status": "draft",`, 1)
	var moved changeData
	t.Run("drafts never appear; a move names the old and the new tiles", func(t *testing.T) {
		if res, body := a.Do(t, "POST", items, editor, strings.NewReader(draft), "Content-Type", "application/geo+json"); res.StatusCode != http.StatusCreated {
			t.Fatalf("POST draft: %d %s", res.StatusCode, body)
		}
		patch := `{"geometry": {"type": "Point", "coordinates": [-1.0, 16.3]}}`
		if res, body := a.Do(t, "PATCH", items+"/test-sevare-2022-05", editor, strings.NewReader(patch)); res.StatusCode != http.StatusOK {
			t.Fatalf("PATCH: %d %s", res.StatusCode, body)
		}
		moved = decodeChange(t, live.next(t, "change", 5*time.Second))
		if moved.ID != "test-sevare-2022-05" || moved.Op != "update" || moved.Seq <= created.Seq ||
			len(moved.Tiles.Was) != 1 || moved.Tiles.Was[0] != created.Tiles.Is[0] || len(moved.Tiles.Is) != 1 || moved.Tiles.Is[0] == created.Tiles.Is[0] {
			t.Errorf("move: %+v", moved)
		}
		live.quiet(t, 500*time.Millisecond)
	})

	t.Run("Last-Event-ID resumes with what was missed, nothing twice", func(t *testing.T) {
		again := openStream(t, a, "?since=0", "Last-Event-ID", jsonInt(created.Seq))
		e := again.next(t, "change", 5*time.Second)
		if c := decodeChange(t, e); c.Seq != moved.Seq || c.ID != moved.ID {
			t.Errorf("resumed with %+v, want seq %d", c, moved.Seq)
		}
		again.quiet(t, 300*time.Millisecond)
		from := openStream(t, a, "?since="+jsonInt(created.Seq-1))
		if c := decodeChange(t, from.next(t, "change", 5*time.Second)); c.Seq != created.Seq {
			t.Errorf("since: first %+v, want seq %d", c, created.Seq)
		}
		if c := decodeChange(t, from.next(t, "change", 5*time.Second)); c.Seq != moved.Seq {
			t.Errorf("since: second %+v, want seq %d", c, moved.Seq)
		}
		old := openStream(t, a, "", "Last-Event-ID", "1") // before this instance began: refresh everything
		if e := old.next(t, "reset", 5*time.Second); e.ID == "" {
			t.Errorf("reset without id: %+v", e)
		}
	})

	t.Run("a delete is an event that names the tiles it left", func(t *testing.T) {
		if res, body := a.Do(t, "DELETE", items+"/test-sevare-2022-05", editor, nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", res.StatusCode, body)
		}
		c := decodeChange(t, live.next(t, "change", 5*time.Second))
		if c.Op != "delete" || len(c.Tiles.Is) != 0 || len(c.Tiles.Was) != 1 || c.Tiles.Was[0] != moved.Tiles.Is[0] {
			t.Errorf("delete: %+v", c)
		}
	})

	t.Run("bad starts are 400 naming the parameter", func(t *testing.T) {
		for _, c := range []struct{ query, header, param string }{
			{"?since=yesterday", "", "since"}, {"?since=-1", "", "since"}, {"", "x", "Last-Event-ID"}, {"?from=1", "", "from"},
		} {
			var body struct{ Code, Parameter string }
			res, raw := a.Get(t, "/changes/stream"+c.query, "Last-Event-ID", c.header)
			_ = json.Unmarshal(raw, &body)
			if res.StatusCode != http.StatusBadRequest || body.Parameter != c.param {
				t.Errorf("%q %q: %d %s", c.query, c.header, res.StatusCode, raw)
			}
		}
	})

	t.Run("an embed takes live=0 or 1, and nothing else", func(t *testing.T) {
		for v, want := range map[string]int{"0": 200, "1": 200, "2": 400, "yes": 400, "": 400} {
			res, raw := a.Get(t, "/embed?live="+v)
			var body struct{ Parameter string }
			_ = json.Unmarshal(raw, &body)
			if res.StatusCode != want || (want == 400 && body.Parameter != "live") {
				t.Errorf("live=%q: %d %.200s", v, res.StatusCode, raw)
			}
			if page := string(raw); want == 200 && (strings.Contains(page, "/?live=") || strings.Contains(page, "&amp;live=")) {
				t.Errorf("live=%q: the link to the full map or an image keeps live", v)
			}
		}
	})

	t.Run("a client past its cap of streams gets 429", func(t *testing.T) {
		const client = "203.0.113.7"
		for range 16 {
			if s := openStream(t, a, "", "X-Forwarded-For", client); s.res.StatusCode != http.StatusOK {
				t.Fatalf("stream under the cap: %d", s.res.StatusCode)
			}
		}
		res, raw := a.Get(t, "/changes/stream", "X-Forwarded-For", client)
		var body struct{ Code string }
		if err := json.Unmarshal(raw, &body); err != nil || res.StatusCode != http.StatusTooManyRequests ||
			body.Code != "TooManyRequests" || res.Header.Get("Retry-After") == "" {
			t.Errorf("past the cap: %d %s", res.StatusCode, raw)
		}
		if s := openStream(t, a, "", "X-Forwarded-For", "203.0.113.8"); s.res.StatusCode != http.StatusOK {
			t.Errorf("another client: %d", s.res.StatusCode)
		}
		if _, metrics := a.Get(t, "/metrics"); !strings.Contains(string(metrics), "\nincidentmap_live_streams ") {
			t.Error("/metrics lacks incidentmap_live_streams")
		}
	})
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
