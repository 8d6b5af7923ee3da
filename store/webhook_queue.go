package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lib/pq"

	"incidentmap/webhook"
)

// The outbox of webhook deliveries as the worker of package webhook uses
// it (webhook.Queue). A lease on a webhook's row gives one worker its
// deliveries: claims lock the rows they take FOR NO KEY UPDATE SKIP LOCKED
// (which does not wait for, nor block, the writers whose outbox rows
// reference the webhook), so two instances never take one webhook, and
// every time is the database's clock.

// Claim leases to owner up to limit webhooks whose oldest pending delivery
// is due and whose lease, if any, has expired; the most overdue first.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration, limit int) ([]webhook.Hook, error) {
	return queryAll(ctx, s.db, func(row scanner) (webhook.Hook, error) {
		var h webhook.Hook
		err := row.Scan(&h.ID, &h.URL, &h.Secret, pq.Array(&h.Events), &h.CreatedAt)
		return h, err
	}, `UPDATE webhooks w SET lease_owner = $1, lease_until = now() + $2 * interval '1 second'
		FROM (SELECT h.id FROM webhooks h
			CROSS JOIN LATERAL (SELECT d.next_attempt_at FROM webhook_deliveries d
				WHERE d.webhook_id = h.id AND d.state = 'pending' ORDER BY d.seq LIMIT 1) head
			WHERE (h.lease_until IS NULL OR h.lease_until < now()) AND head.next_attempt_at <= now()
			ORDER BY head.next_attempt_at LIMIT $3
			FOR NO KEY UPDATE OF h SKIP LOCKED) due
		WHERE w.id = due.id AND (w.lease_until IS NULL OR w.lease_until < now())
		RETURNING w.id, w.url, w.secret, w.events, w.created_at`, owner, lease.Seconds(), limit)
}

// Next renews owner's lease of the webhook and returns its oldest pending
// delivery when it is due; ok is false when there is none, when it is not
// due, or when owner's lease has expired (another worker may hold it).
func (s *Store) Next(ctx context.Context, hook int64, owner string, lease time.Duration) (webhook.Delivery, bool, error) {
	var d webhook.Delivery
	var due bool
	err := s.db.QueryRowContext(ctx, `WITH lease AS (
			UPDATE webhooks SET lease_until = now() + $3 * interval '1 second'
			WHERE id = $1 AND lease_owner = $2 AND lease_until >= now() RETURNING id, url)
		SELECT d.id, d.webhook_id, lease.url, d.incident_id, d.op, d.seq, d.changed_at, d.state, d.attempts,
			d.created_at, d.next_attempt_at <= now()
		FROM lease JOIN webhook_deliveries d ON d.webhook_id = lease.id
		WHERE d.state = 'pending' ORDER BY d.seq LIMIT 1`, hook, owner, lease.Seconds()).Scan(
		&d.ID, &d.Webhook, &d.WebhookURL, &d.Incident, &d.Op, &d.Seq, &d.At, &d.State, &d.Attempts, &d.CreatedAt, &due)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, translate(err)
	}
	return d, due, nil
}

// Record writes the outcome of an attempt of a pending delivery: delivered;
// or pending again after a.Delay, but never later than a.MaxAge after it
// was queued; or failed, when it fails after that.
func (s *Store) Record(ctx context.Context, delivery int64, a webhook.Attempt) error {
	var status any
	if a.Status != 0 {
		status = a.Status
	}
	_, err := s.db.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(),
			last_status = $2, last_error = $3,
			state = CASE WHEN $4 THEN 'delivered'
				WHEN now() >= created_at + $6 * interval '1 second' THEN 'failed' ELSE 'pending' END,
			delivered_at = CASE WHEN $4 THEN now() END,
			next_attempt_at = CASE WHEN $4 THEN next_attempt_at
				ELSE least(now() + $5 * interval '1 second', created_at + $6 * interval '1 second') END
		WHERE id = $1 AND state = 'pending'`,
		delivery, status, a.Error, a.Delivered, a.Delay.Seconds(), a.MaxAge.Seconds())
	return translate(err)
}

// Release ends owner's lease of the webhook.
func (s *Store) Release(ctx context.Context, hook int64, owner string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE webhooks SET lease_owner = NULL, lease_until = NULL
		WHERE id = $1 AND lease_owner = $2`, hook, owner)
	return translate(err)
}

// Prune deletes up to limit deliveries, delivered or failed, queued longer
// than age ago, oldest first, and returns how many it deleted.
func (s *Store) Prune(ctx context.Context, age time.Duration, limit int) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE id IN (
		SELECT id FROM webhook_deliveries
		WHERE state <> 'pending' AND created_at < now() - $1 * interval '1 second'
		ORDER BY id LIMIT $2)`, age.Seconds(), limit)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
