package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"incidentmap/geo"
	"incidentmap/store"
	"incidentmap/webhook"
)

// addHook stores a webhook of url for events ("" for all).
func addHook(t *testing.T, st *store.Store, url, events string) webhook.Hook {
	t.Helper()
	h, err := webhook.New(url, "a-secret-of-16-bytes", events, true)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = st.AddWebhook(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	return h
}

// outbox lists the outbox of webhook hook as "op id" lines in seq order,
// and checks that each delivery's seq is its change's in the change log.
func outbox(t *testing.T, db *sql.DB, hook int64) []string {
	t.Helper()
	rows, err := db.Query(`SELECT d.op || ' ' || d.incident_id, c.incident_id IS NOT NULL
		FROM webhook_deliveries d LEFT JOIN incident_changes c ON c.seq = d.seq AND c.incident_id = d.incident_id
		WHERE d.webhook_id = $1 ORDER BY d.seq`, hook)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		var logged bool
		if err := rows.Scan(&line, &logged); err != nil {
			t.Fatal(err)
		}
		if !logged {
			t.Errorf("%s: its seq is no change of this incident in incident_changes", line)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOutboxAnnouncesOnlyWhatThePublicSees(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	all := addHook(t, st, "http://127.0.0.1:9/all", "")
	deletes := addHook(t, st, "http://127.0.0.1:9/deletes", "delete")
	write := func(in geo.Incident) {
		t.Helper()
		if _, err := st.WriteIncident(ctx, &in, geo.Write{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(id string) {
		t.Helper()
		if err := st.DeleteIncident(ctx, id, "test", 0); err != nil {
			t.Fatal(err)
		}
	}
	draft := testIncident("d1", -4, 14, "2022-03-27", "2022-03-27")
	draft.Status = "draft"
	write(draft) // a draft created: nothing
	draft.Title = "still a draft"
	write(draft) // a draft edited: nothing
	draft.Status = "published"
	write(draft) // published: create
	draft.Title = "corrected"
	write(draft) // edited while public: update
	draft.Status = "retracted"
	write(draft) // retracted: delete
	draft.Title = "retracted, edited"
	write(draft) // a retraction edited: nothing
	draft.Status = "published"
	write(draft)                                                  // published again: create
	write(testIncident("p1", -4, 14, "2022-03-27", "2022-03-27")) // published when created: create
	remove("p1")                                                  // deleted while public: delete
	other := testIncident("d2", -4, 14, "2022-03-27", "2022-03-27")
	other.Status = "draft"
	write(other)
	remove("d2") // a draft deleted: nothing
	if err := st.Upsert(ctx, nil, []geo.Incident{testIncident("u1", -4, 14, "2022-03-27", "2022-03-27")}, "seed"); err != nil {
		t.Fatal(err)
	}

	want := []string{"create d1", "update d1", "delete d1", "create d1", "create p1", "delete p1", "create u1"}
	if got := outbox(t, db, all.ID); strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("outbox of every event:\n got %q\nwant %q", got, want)
	}
	if got := outbox(t, db, deletes.ID); strings.Join(got, ", ") != "delete d1, delete p1" {
		t.Errorf("outbox of deletes: %q", got)
	}
}

func TestOutboxRowsCommitAndRollBackWithTheirWrite(t *testing.T) {
	st, db := openImportStore(t)
	hook := addHook(t, st, "http://127.0.0.1:9/hook", "")
	for _, commit := range []bool{false, true} {
		t.Run(fmt.Sprintf("commit=%v", commit), func(t *testing.T) {
			id := fmt.Sprintf("tx-%v", commit)
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(insertSQL, id); err != nil {
				t.Fatal(err)
			}
			var seq, outboxSeq int64
			if err := tx.QueryRow(`SELECT seq FROM incident_changes WHERE incident_id = $1`, id).Scan(&seq); err != nil {
				t.Fatal(err)
			}
			err = tx.QueryRow(`SELECT seq FROM webhook_deliveries WHERE incident_id = $1 AND webhook_id = $2`, id, hook.ID).Scan(&outboxSeq)
			if err != nil || outboxSeq != seq {
				t.Fatalf("inside the write's transaction: outbox seq %d (%v), change seq %d", outboxSeq, err, seq)
			}
			if n := count(t, db, `SELECT count(*) FROM webhook_deliveries WHERE incident_id = '`+id+`'`); n != 0 {
				t.Errorf("another session sees %d outbox rows before the commit", n)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
			want := map[bool]int{false: 0, true: 1}[commit]
			if n := count(t, db, `SELECT count(*) FROM webhook_deliveries WHERE incident_id = '`+id+`'`); n != want {
				t.Errorf("after the end of the transaction: %d outbox rows, want %d", n, want)
			}
		})
	}
}

func TestOutboxOfImportsBulkAndMerged(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	hook := addHook(t, st, "http://127.0.0.1:9/hook", "")
	// 25,000 new incidents: a bulk load after the first batch.
	if n, err := st.ImportBulkFrom(ctx, &listReader{n: 25000, title: "first"}, "test", 15000); err != nil || n != 25000 {
		t.Fatalf("import = %d, %v", n, err)
	}
	// The same again: a merge of existing incidents.
	if n, err := st.ImportBulkFrom(ctx, &listReader{n: 25000, title: "second"}, "test", 100); err != nil || n != 25000 {
		t.Fatalf("import = %d, %v", n, err)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM webhook_deliveries WHERE op = 'create'`:                         25000,
		`SELECT count(*) FROM webhook_deliveries WHERE op = 'update'`:                         25000,
		`SELECT count(DISTINCT seq) FROM webhook_deliveries`:                                  50000,
		`SELECT count(*) FROM webhook_deliveries d JOIN incident_changes c USING (seq)`:       50000,
		fmt.Sprintf(`SELECT count(*) FROM webhook_deliveries WHERE webhook_id = %d`, hook.ID): 50000,
	} {
		if got := count(t, db, query); got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
}

func TestWebhooksAddListRemove(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	a := addHook(t, st, "https://example.org/a", "create,delete")
	b := addHook(t, st, "https://example.org/b", "")
	if _, err := db.Exec(insertSQL, "listed"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddWebhook(ctx, a); geo.ErrorCode(err) != geo.EExists {
		t.Errorf("the same URL again: %v, want EExists", err)
	}
	list, err := st.Webhooks(ctx)
	if err != nil || len(list) != 2 || list[0].URL != a.URL || strings.Join(list[0].Events, ",") != "create,delete" ||
		list[0].Pending != 1 || list[1].Pending != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if url, err := st.RemoveWebhook(ctx, fmt.Sprint(a.ID)); err != nil || url != a.URL {
		t.Errorf("remove by id = %q, %v", url, err)
	}
	if url, err := st.RemoveWebhook(ctx, b.URL); err != nil || url != b.URL {
		t.Errorf("remove by URL = %q, %v", url, err)
	}
	if n := count(t, db, `SELECT count(*) FROM webhook_deliveries`); n != 0 {
		t.Errorf("%d deliveries left after removing their webhooks", n)
	}
	if _, err := st.RemoveWebhook(ctx, b.URL); geo.ErrorCode(err) != geo.ENotFound {
		t.Errorf("remove again: %v, want ENotFound", err)
	}
}

func TestClaimsNeverShareAWebhookAndKeepSeqOrder(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	addHook(t, st, "http://127.0.0.1:9/a", "")
	addHook(t, st, "http://127.0.0.1:9/b", "")
	for i := range 3 {
		if _, err := db.Exec(insertSQL, fmt.Sprintf("c%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Two workers claim at once, many times: never the same webhook.
	for range 20 {
		got := make(chan []webhook.Hook, 2)
		for _, owner := range []string{"one", "two"} {
			go func() {
				h, err := st.Claim(ctx, owner, time.Minute, 10)
				if err != nil {
					t.Error(err)
				}
				got <- h
			}()
		}
		first, second := <-got, <-got
		if len(first)+len(second) != 2 {
			t.Fatalf("claims took %d and %d webhooks, want 2 in all", len(first), len(second))
		}
		for _, h := range append(first, second...) {
			for _, owner := range []string{"one", "two"} {
				if err := st.Release(ctx, h.ID, owner); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	claimed, err := st.Claim(ctx, "one", time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	h := claimed[0]
	if _, ok, _ := st.Next(ctx, h.ID, "two", time.Minute); ok {
		t.Error("a worker without the lease got a delivery")
	}
	// Deliveries come in seq order; a failure holds the webhook back
	// until its retry is due.
	d, ok, err := st.Next(ctx, h.ID, "one", time.Minute)
	if err != nil || !ok || d.Incident != "c0" {
		t.Fatalf("first delivery = %+v, %v, %v", d, ok, err)
	}
	if err := st.Record(ctx, d.ID, webhook.Attempt{Status: 500, Error: "500", Delay: time.Hour, MaxAge: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if d, ok, _ := st.Next(ctx, h.ID, "one", time.Minute); ok || d.Incident != "c0" {
		t.Errorf("after a failure: %q due %v, want c0 not due", d.Incident, ok)
	}
	if _, err := db.Exec(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.Record(ctx, d.ID, webhook.Attempt{Delivered: true, Status: 204}); err != nil {
		t.Fatal(err)
	}
	if d, ok, _ := st.Next(ctx, h.ID, "one", time.Minute); !ok || d.Incident != "c1" {
		t.Errorf("after the delivery: %q due %v, want c1", d.Incident, ok)
	}
	log, err := st.Deliveries(ctx, webhook.LogQuery{Webhook: h.ID, State: webhook.StateDelivered, Limit: 10})
	if err != nil || len(log) != 1 || log[0].Attempts != 2 || *log[0].LastStatus != 204 || log[0].DeliveredAt == nil {
		t.Errorf("delivery log = %+v, %v", log, err)
	}
}

func TestDeliveriesFailAfterMaxAge(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	h := addHook(t, st, "http://127.0.0.1:9/a", "")
	if _, err := db.Exec(insertSQL, "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE webhook_deliveries SET created_at = now() - interval '25 hours'`); err != nil {
		t.Fatal(err)
	}
	log, _ := st.Deliveries(ctx, webhook.LogQuery{Webhook: h.ID, Limit: 1})
	if err := st.Record(ctx, log[0].ID, webhook.Attempt{Error: "refused", Delay: time.Second, MaxAge: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	log, _ = st.Deliveries(ctx, webhook.LogQuery{Limit: 10})
	if len(log) != 1 || log[0].State != webhook.StateFailed || log[0].LastStatus != nil || log[0].NextAttemptAt != nil {
		t.Errorf("after a failure past the max age: %+v", log)
	}
}

func TestPruneKeepsPendingAndRecentDeliveries(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	h := addHook(t, st, "http://127.0.0.1:9/a", "")
	for i := range 4 {
		if _, err := db.Exec(insertSQL, fmt.Sprintf("p%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// p0 delivered and p1 failed long ago, p2 pending as long, p3 delivered now.
	_, err := db.Exec(`UPDATE webhook_deliveries SET created_at = now() - interval '40 days',
		state = CASE incident_id WHEN 'p0' THEN 'delivered' WHEN 'p1' THEN 'failed' ELSE 'pending' END
		WHERE incident_id IN ('p0', 'p1', 'p2');
		UPDATE webhook_deliveries SET state = 'delivered' WHERE incident_id = 'p3'`)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.Prune(ctx, 30*24*time.Hour, 1); n != 1 || err != nil {
		t.Errorf("prune with a limit of 1 = %d, %v", n, err)
	}
	if n, err := st.Prune(ctx, 30*24*time.Hour, 10); n != 1 || err != nil {
		t.Errorf("prune = %d, %v", n, err)
	}
	if got := outbox(t, db, h.ID); strings.Join(got, ", ") != "create p2, create p3" {
		t.Errorf("left after pruning: %q", got)
	}
}
