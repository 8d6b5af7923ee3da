package main

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

// liveAcrossInstances: a write through instance a is an event, within 2 s,
// on a stream opened on instance b and on one through nginx (which must
// pass each event on at once, not buffer the stream).
func liveAcrossInstances(t *testing.T, a, b, proxy *testapp.App, editor string) {
	streams := map[string]<-chan string{"B": dataLines(t, b.URL, true), "nginx": dataLines(t, proxy.URL, false)}
	id := "scaleout-live-2022-06"
	feature := strings.NewReplacer("test-sevare-2022-05", id, "2022-05-10", "2022-06-15").Replace(testapp.NewIncident)
	written := time.Now()
	res, body := a.Do(t, http.MethodPost, "/collections/incidents/items", editor, strings.NewReader(feature),
		"Content-Type", "application/geo+json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST through A: %d %s", res.StatusCode, body)
	}
	for name, lines := range streams {
		deadline := time.After(2 * time.Second)
	wait:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("the stream through %s ended", name)
				}
				if strings.Contains(line, `"id":"`+id+`"`) {
					t.Logf("event through %s %v after the write", name, time.Since(written).Round(time.Millisecond))
					break wait
				}
			case <-deadline:
				t.Fatalf("no event through %s within 2 s of the write", name)
			}
		}
	}
}

// dataLines opens base's /changes/stream, waits for its hello, and sends
// its data lines until the test ends. direct: base is an instance, which
// tells proxies not to buffer (nginx takes the header for itself).
func dataLines(t *testing.T, base string, direct bool) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/changes/stream", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != http.StatusOK || (direct && res.Header.Get("X-Accel-Buffering") != "no") {
		t.Fatalf("%s/changes/stream: %d %v", base, res.StatusCode, res.Header)
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "event: hello") {
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: ") {
				out <- sc.Text()
			}
		}
	}()
	return out
}
