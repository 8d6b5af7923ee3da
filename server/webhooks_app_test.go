package server_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"incidentmap/internal/testenv/testapp"
)

const hookSecret = "the-receivers-shared-secret"

// hookReceiver is a newsroom's endpoint: it checks each delivery's
// signature the way the README tells receivers to, and keeps what it got.
type hookReceiver struct {
	t     *testing.T
	delay time.Duration // how long each answer takes
	mu    sync.Mutex
	fail  int // answer 500 to this many requests first
	got   []hookPayload
	calls int
}

type hookPayload struct {
	ID  string    `json:"id"`
	Op  string    `json:"op"`
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	URL string    `json:"url"`
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// The receiver's side: the HMAC-SHA256 of the raw body, compared in
	// constant time.
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write(body)
	sig, _ := strings.CutPrefix(req.Header.Get("X-Incidentmap-Signature"), "sha256=")
	got, _ := hex.DecodeString(sig)
	if !hmac.Equal(got, mac.Sum(nil)) {
		r.t.Errorf("a delivery with a bad signature %q: %s", req.Header.Get("X-Incidentmap-Signature"), body)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if ct := req.Header.Get("Content-Type"); req.Method != http.MethodPost || ct != "application/json" {
		r.t.Errorf("a delivery as %s %s", req.Method, ct)
	}
	var fields map[string]any
	var p hookPayload
	if json.Unmarshal(body, &fields) != nil || len(fields) != 5 || json.Unmarshal(body, &p) != nil {
		r.t.Errorf("a delivery of a body other than {id, op, seq, at, url}: %s", body)
	}
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail > 0 {
		r.fail--
		http.Error(w, "try again later", http.StatusInternalServerError)
		return
	}
	r.got = append(r.got, p)
	w.WriteHeader(http.StatusNoContent)
}

// received returns the deliveries taken so far.
func (r *hookReceiver) received() []hookPayload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookPayload(nil), r.got...)
}

// waitFor waits until n deliveries were taken.
func (r *hookReceiver) waitFor(t *testing.T, n int, within time.Duration) []hookPayload {
	t.Helper()
	for start := time.Now(); time.Since(start) < within; time.Sleep(20 * time.Millisecond) {
		if got := r.received(); len(got) >= n {
			return got
		}
	}
	got := r.received()
	t.Fatalf("%d deliveries within %v, want %d: %+v", len(got), within, n, got)
	return nil
}

// hookEnv is the environment of a server that delivers to a receiver on
// 127.0.0.1 and links incidents under a public URL.
func hookEnv(dsn string) func(string) string {
	base := testapp.Env(dsn)
	return func(k string) string {
		switch k {
		case "INCIDENTMAP_WEBHOOK_ALLOW_PRIVATE":
			return "1"
		case "INCIDENTMAP_PUBLIC_URL":
			return "https://maps.example.org"
		}
		return base(k)
	}
}

// incidentWithID is testapp.NewIncident under another id, a draft when
// draft.
func incidentWithID(id string, draft bool) string {
	in := strings.Replace(testapp.NewIncident, "test-sevare-2022-05", id, 1)
	if draft {
		in = strings.Replace(in, `"properties": {`, `"properties": {"status": "draft", `, 1)
	}
	return in
}

func TestWebhooksDeliverEveryPublicChangeOnceAcrossARestartToTwoInstances(t *testing.T) {
	dsn := testapp.Seeded(t)
	env := hookEnv(dsn)
	recv := &hookReceiver{t: t, delay: 60 * time.Millisecond}
	hooks := httptest.NewServer(recv)
	defer hooks.Close()

	url1, stop1 := testapp.ServeEnv(t, env, io.Discard)
	a := &testapp.App{URL: url1, DSN: dsn, Env: env}
	if _, err := a.CLI(t, nil, "webhook", "add", "--url", hooks.URL+"/incidentmap", "--secret", hookSecret); err != nil {
		t.Fatal(err)
	}
	editor := a.NewToken(t, "newsdesk", "editor")
	admin := a.NewToken(t, "root", "admin")
	items := "/collections/incidents/items"
	do := func(method, path, body string, want int) {
		t.Helper()
		if res, b := a.Do(t, method, path, editor, strings.NewReader(body)); res.StatusCode != want {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
	}

	var want []string                                                         // "op id", in the order of the writes
	do("POST", items, incidentWithID("hook-draft", true), http.StatusCreated) // a draft: never announced
	for i := range 20 {
		id := fmt.Sprintf("hook-%02d", i)
		do("POST", items, incidentWithID(id, false), http.StatusCreated)
		want = append(want, "create "+id)
	}
	do("PATCH", items+"/hook-03", `{"properties": {"title": "Corrected"}}`, http.StatusOK)
	do("DELETE", items+"/hook-01", "", http.StatusNoContent)
	do("PATCH", items+"/hook-draft", `{"properties": {"status": "published"}}`, http.StatusOK)
	want = append(want, "update hook-03", "delete hook-01", "create hook-draft")

	// Stop mid-way, with deliveries pending; write more while no server
	// runs (the outbox fills in the import's transaction); start again.
	recv.waitFor(t, 3, 20*time.Second)
	if err := stop1(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	before := len(recv.received())
	if before >= len(want) {
		t.Fatalf("every delivery (%d) went before the stop: the test proves nothing; slow the receiver", before)
	}
	fc := `{"type": "FeatureCollection", "features": [` + incidentWithID("hook-offline", false) + `]}`
	if _, err := a.CLI(t, strings.NewReader(fc), "import", "-"); err != nil {
		t.Fatal(err)
	}
	want = append(want, "create hook-offline")
	// Two instances now: their workers never send one delivery twice.
	for range 2 {
		url, stop := testapp.ServeEnv(t, env, io.Discard)
		defer func() {
			if err := stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		}()
		a.URL = url
	}

	recv.waitFor(t, len(want), 30*time.Second)
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show up
	got := recv.received()
	t.Logf("%d of %d deliveries before the restart", before, len(want))
	var ops []string
	for i, p := range got {
		ops = append(ops, p.Op+" "+p.ID)
		if i > 0 && p.Seq <= got[i-1].Seq {
			t.Errorf("delivery %d: seq %d after %d: not in seq order, or twice", i, p.Seq, got[i-1].Seq)
		}
		if p.URL != "https://maps.example.org/collections/incidents/items/"+p.ID || p.At.IsZero() {
			t.Errorf("delivery %+v: url or at wrong", p)
		}
	}
	if strings.Join(ops, ", ") != strings.Join(want, ", ") {
		t.Errorf("deliveries:\n got %q\nwant %q", ops, want)
	}

	// The delivery log: admin only, newest first, every delivery delivered.
	if res, _ := a.Get(t, "/webhooks/deliveries"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the log without a token: %d", res.StatusCode)
	}
	if res, _ := a.Do(t, "GET", "/webhooks/deliveries", editor, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("the log with an editor token: %d", res.StatusCode)
	}
	var page struct {
		Deliveries []struct {
			ID       int64  `json:"id"`
			Incident string `json:"incident"`
			State    string `json:"state"`
			Attempts int    `json:"attempts"`
		} `json:"deliveries"`
		Links []struct{ Href string } `json:"links"`
	}
	res, body := a.Do(t, "GET", "/webhooks/deliveries?limit=5&state=delivered", admin, nil)
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil || len(page.Deliveries) != 5 || len(page.Links) != 1 {
		t.Fatalf("the log: %d %s", res.StatusCode, body)
	}
	if page.Deliveries[0].Incident != "hook-offline" || page.Deliveries[0].ID < page.Deliveries[4].ID ||
		page.Deliveries[0].Attempts != 1 || strings.Contains(string(body), hookSecret) {
		t.Errorf("the log's first page: %s", body)
	}
	if !strings.Contains(page.Links[0].Href, "before=") {
		t.Errorf("next link %q", page.Links[0].Href)
	}
	if res, body := a.Do(t, "GET", "/webhooks/deliveries?state=lost", admin, nil); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(string(body), `"parameter":"state"`) {
		t.Errorf("a bad state: %d %s", res.StatusCode, body)
	}
}

func TestWebhooksRetryUntilTheReceiverTakesIt(t *testing.T) {
	dsn := testapp.Seeded(t)
	env := hookEnv(dsn)
	recv := &hookReceiver{t: t, fail: 2}
	hooks := httptest.NewServer(recv)
	defer hooks.Close()
	url, stop := testapp.ServeEnv(t, env, io.Discard)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	a := &testapp.App{URL: url, DSN: dsn, Env: env}
	if _, err := a.CLI(t, nil, "webhook", "add", "--url", hooks.URL, "--secret", hookSecret, "--events", "create"); err != nil {
		t.Fatal(err)
	}
	editor := a.NewToken(t, "newsdesk", "editor")
	if res, b := a.Do(t, "POST", "/collections/incidents/items", editor, strings.NewReader(incidentWithID("retried", false))); res.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", res.StatusCode, b)
	}
	got := recv.waitFor(t, 1, 20*time.Second)
	if got[0].ID != "retried" || got[0].Op != "create" {
		t.Errorf("delivered %+v", got[0])
	}
	recv.mu.Lock()
	calls := recv.calls
	recv.mu.Unlock()
	if calls != 3 {
		t.Errorf("%d calls, want 2 answered 500 and 1 answered 204", calls)
	}
	admin := a.NewToken(t, "root", "admin")
	_, body := a.Do(t, "GET", "/webhooks/deliveries", admin, nil)
	if !strings.Contains(string(body), `"attempts":3`) || !strings.Contains(string(body), `"state":"delivered"`) ||
		!strings.Contains(string(body), `"last_status":204`) {
		t.Errorf("the log after the retries: %s", body)
	}
}
