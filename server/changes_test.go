package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// TestNoEditGoesMissing runs editors (POST, PATCH, DELETE), imports and a
// /changes poller at once against one server, then checks that the poller
// got every change of the log exactly once, and that the server's tile
// index (which answers items) ends as a server loading the database afresh
// sees it. An import holds the data version lock from its first batch to
// its commit: edits that come meanwhile wait behind it, and a change
// number drawn before that lock would commit after the import's higher
// ones, when readers of the log had passed it.
func TestNoEditGoesMissing(t *testing.T) {
	a := testapp.Start(t)
	admin := a.NewToken(t, "changes-admin", "admin")
	editor := a.NewToken(t, "changes-editor", "editor")

	p := &changesPoller{a: a, token: admin, seen: map[int64]bool{}}
	pollCtx, stopPolling := context.WithCancel(context.Background())
	polled := make(chan error, 1)
	go func() { polled <- p.run(pollCtx) }()

	writeCtx, stopWriting := context.WithCancel(context.Background())
	var writers sync.WaitGroup
	writeErrs := make(chan error, 8)
	for w := range 8 {
		writers.Go(func() { writeErrs <- editLoop(writeCtx, a, editor, w) })
	}
	// Each import adds 10,500 incidents: two batches, so that it draws
	// change numbers again after the edits that came during the first.
	for i := range 2 {
		status, body, err := a.Call(http.MethodPost, "/import?format=geojsonseq", admin, importOfNew(i, 10500))
		if err != nil || status != http.StatusOK {
			t.Fatalf("import %d: %d %s %v", i, status, body, err)
		}
	}
	stopWriting()
	writers.Wait()
	close(writeErrs)
	for err := range writeErrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	stopPolling()
	if err := <-polled; err != nil {
		t.Fatal(err)
	}
	if err := p.poll(); err != nil { // what committed after its last look
		t.Fatal(err)
	}

	t.Run("the poller got every change exactly once", func(t *testing.T) {
		if len(p.dups) > 0 {
			t.Errorf("changes given twice or out of order: %v", p.dups[:min(len(p.dups), 10)])
		}
		log := changeLog(t, a.DSN)
		var missing []int64
		for _, seq := range log {
			if !p.seen[seq] {
				missing = append(missing, seq)
			}
		}
		if len(missing) > 0 || len(p.seen) != len(log) {
			t.Errorf("the poller got %d changes, the log holds %d; missing %d: %v", len(p.seen), len(log),
				len(missing), missing[:min(len(missing), 10)])
		}
		t.Logf("%d changes, %d polls", len(log), p.polls)
	})
	t.Run("the tile index ends as a fresh load sees the database", func(t *testing.T) {
		fresh := testapp.Serve(t, a.DSN)
		fresh.WaitTileIndex(t)
		for _, query := range []string{
			"limit=1",                                    // every incident, counted by the index
			"limit=1&bbox=30,-10,31,-9",                  // the imports
			"limit=10000&bbox=20,10,20.99,10.99",         // where edits create
			"limit=10000&bbox=21,11,21.99,11.99",         // where they move
			"limit=10000&datetime=2023-01-01/2023-01-31", // when edits create
			"limit=10000&datetime=2023-06-01/2023-06-30", // when they move
		} {
			want := fresh.Incidents(t, query)
			got := a.Incidents(t, query)
			if got.NumberMatched != want.NumberMatched || !slices.Equal(got.IDs(), want.IDs()) {
				t.Errorf("%s: the running server matches %d (%d listed), a fresh load %d (%d listed); only running: %v, only fresh: %v",
					query, got.NumberMatched, len(got.IDs()), want.NumberMatched, len(want.IDs()),
					onlyIn(got.IDs(), want.IDs()), onlyIn(want.IDs(), got.IDs()))
			}
		}
	})
}

// changesPoller follows /changes as a syncing client does: from the next
// link's since, as fast as it can.
type changesPoller struct {
	a     *testapp.App
	token string // a token sees drafts too: every change of the log
	since int64
	seen  map[int64]bool
	dups  []int64 // seqs given again, or at or below one given before
	polls int
}

func (p *changesPoller) run(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := p.poll(); err != nil {
			return err
		}
	}
	return nil
}

// poll reads the feed from since until a page comes back empty.
func (p *changesPoller) poll() error {
	for {
		p.polls++
		status, body, err := p.a.Call(http.MethodGet, fmt.Sprintf("/changes?since=%d", p.since), p.token, nil)
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("GET /changes?since=%d: %d %s %v", p.since, status, body, err) //nolint:errorlint // err may be nil (a wrong status): printed, not wrapped
		}
		var page struct {
			Changes []struct{ Seq int64 }
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("/changes: %w: %s", err, body)
		}
		if len(page.Changes) == 0 {
			return nil
		}
		for _, c := range page.Changes {
			if p.seen[c.Seq] || c.Seq <= p.since {
				p.dups = append(p.dups, c.Seq)
			}
			p.seen[c.Seq] = true
			p.since = max(p.since, c.Seq)
		}
	}
}

// editLoop has editor w create, move and delete incidents of its own until
// ctx ends: each is created in the box 20,10 to 21,11 in January 2023, then
// moved to 21,11 to 22,12 in June; every third is deleted.
func editLoop(ctx context.Context, a *testapp.App, token string, w int) error {
	items := "/collections/incidents/items"
	for k := 0; ctx.Err() == nil; k++ {
		id := fmt.Sprintf("edit-%d-%d", w, k)
		x, y := 20+float64(w)/10+float64(k%100)/1000, 10+float64(k%500)/1000
		status, body, err := a.Call(http.MethodPost, items, token, strings.NewReader(editedFeature(id, x, y, "2023-01-15")))
		if err != nil || status != http.StatusCreated {
			return fmt.Errorf("POST %s: %d %s %v", id, status, body, err) //nolint:errorlint // err may be nil (a wrong status): printed, not wrapped
		}
		patch := fmt.Sprintf(`{"geometry": {"type": "Point", "coordinates": [%g, %g]},
			"properties": {"starts_at": "2023-06-15T00:00:00Z", "ends_at": "2023-06-15T23:59:59Z"}}`, x+1, y+1)
		status, body, err = a.Call(http.MethodPatch, items+"/"+id, token, strings.NewReader(patch))
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("PATCH %s: %d %s %v", id, status, body, err) //nolint:errorlint // err may be nil (a wrong status): printed, not wrapped
		}
		if k%3 == 2 {
			status, body, err = a.Call(http.MethodDelete, items+"/"+id, token, nil)
			if err != nil || status != http.StatusNoContent {
				return fmt.Errorf("DELETE %s: %d %s %v", id, status, body, err) //nolint:errorlint // err may be nil (a wrong status): printed, not wrapped
			}
		}
	}
	return nil
}

// editedFeature is an incident at (x, y) on day.
func editedFeature(id string, x, y float64, day string) string {
	return fmt.Sprintf(`{"type": "Feature", "id": %q,
	"geometry": {"type": "Point", "coordinates": [%g, %g]},
	"properties": {"title": "Edited %s", "event_type": "battles", "country": "TD", "geo_precision": "exact",
		"starts_at": "%sT00:00:00Z", "ends_at": "%sT23:59:59Z", "date_precision": "day",
		"sources": [{"url": "https://example.org/%s", "publisher": "Example"}]}}`,
		id, x, y, id, day, day, id)
}

// importOfNew is a GeoJSONSeq file of n new incidents, in the box 30,-10 to
// 31,-9.
func importOfNew(i, n int) io.Reader {
	var b strings.Builder
	for k := range n {
		id := fmt.Sprintf("import-%d-%05d", i, k)
		b.WriteString(strings.ReplaceAll(editedFeature(id, 30+float64(k%1000)/1000, -10+float64(k/1000)/100,
			"2021-03-01"), "\n", " "))
		b.WriteByte('\n')
	}
	return strings.NewReader(b.String())
}

// changeLog lists every seq of the change log, read from the database.
func changeLog(t *testing.T, dsn string) []int64 {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return testenv.Int64s(t, db, `SELECT seq FROM incident_changes ORDER BY seq`)
}

// onlyIn lists up to ten members of a that b lacks.
func onlyIn(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) && len(out) < 10 {
			out = append(out, s)
		}
	}
	return out
}
