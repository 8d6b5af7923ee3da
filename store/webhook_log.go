package store

import (
	"context"
	"database/sql"

	"incidentmap/webhook"
)

// Deliveries returns a page of the delivery log, newest first: those of
// q.Webhook (0: all), in state q.State ("": all), with ids below q.Before
// (0: from the newest), at most q.Limit. Secrets are not read.
func (s *Store) Deliveries(ctx context.Context, q webhook.LogQuery) ([]webhook.Delivery, error) {
	list, err := queryAll(ctx, s.db, scanDelivery, `SELECT d.id, d.webhook_id, w.url, d.incident_id, d.op, d.seq, d.changed_at,
			d.state, d.attempts, CASE WHEN d.state = 'pending' THEN d.next_attempt_at END, d.last_attempt_at,
			d.last_status, d.last_error, d.created_at, d.delivered_at
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE ($1::bigint = 0 OR d.webhook_id = $1) AND ($2::text = '' OR d.state = $2) AND ($3::bigint = 0 OR d.id < $3)
		ORDER BY d.id DESC LIMIT $4`, q.Webhook, q.State, q.Before, q.Limit)
	if list == nil && err == nil {
		list = []webhook.Delivery{}
	}
	return list, err
}

// scanDelivery reads a row of the delivery log.
func scanDelivery(row scanner) (webhook.Delivery, error) {
	var d webhook.Delivery
	var status sql.NullInt64
	err := row.Scan(&d.ID, &d.Webhook, &d.WebhookURL, &d.Incident, &d.Op, &d.Seq, &d.At, &d.State, &d.Attempts,
		&d.NextAttemptAt, &d.LastAttemptAt, &status, &d.LastError, &d.CreatedAt, &d.DeliveredAt)
	if status.Valid {
		v := int(status.Int64)
		d.LastStatus = &v
	}
	return d, err
}
