package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/lib/pq"

	"incidentmap/geo"
	"incidentmap/webhook"
)

// AddWebhook stores a webhook checked by webhook.New and returns it with
// its id; EExists when one has its URL already. From its commit on, every
// published change of an incident becomes a delivery to it
// (migration 000011).
func (s *Store) AddWebhook(ctx context.Context, h webhook.Hook) (webhook.Hook, error) {
	err := s.db.QueryRowContext(ctx, `INSERT INTO webhooks (url, secret, events) VALUES ($1, $2, $3)
		RETURNING id, created_at`, h.URL, h.Secret, pq.Array(h.Events)).Scan(&h.ID, &h.CreatedAt)
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code.Name() == "unique_violation" {
		return h, &geo.Error{Code: geo.EExists, Param: "url", Message: "a webhook of this URL exists already"}
	}
	return h, translate(err)
}

// Webhooks lists the webhooks, oldest first, with the counts of their
// deliveries by state; never their secrets.
func (s *Store) Webhooks(ctx context.Context) ([]webhook.Summary, error) {
	list, err := queryAll(ctx, s.db, func(row scanner) (webhook.Summary, error) {
		var h webhook.Summary
		err := row.Scan(&h.ID, &h.URL, pq.Array(&h.Events), &h.CreatedAt, &h.Pending, &h.Delivered, &h.Failed)
		return h, err
	}, `SELECT w.id, w.url, w.events, w.created_at,
			count(d.id) FILTER (WHERE d.state = 'pending'),
			count(d.id) FILTER (WHERE d.state = 'delivered'),
			count(d.id) FILTER (WHERE d.state = 'failed')
		FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id
		GROUP BY w.id ORDER BY w.id`)
	if list == nil && err == nil {
		list = []webhook.Summary{}
	}
	return list, err
}

// RemoveWebhook deletes the webhook of the given id (digits) or URL, with
// its deliveries (and those of webhooks removed before whose rows a write
// in flight then added), and returns its URL; ENotFound when there is
// none. A delivery in flight may still arrive.
func (s *Store) RemoveWebhook(ctx context.Context, idOrURL string) (string, error) {
	id, err := strconv.ParseInt(idOrURL, 10, 64)
	if err != nil {
		id = 0
	}
	var url string
	err = s.transact(ctx, nil, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM webhooks WHERE id = $1 OR url = $2 RETURNING url`, id, idOrURL).Scan(&url)
		if errors.Is(err, sql.ErrNoRows) {
			return geo.NotFound("no webhook with id or URL %q", idOrURL)
		}
		if err != nil {
			return translate(err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM webhook_deliveries d
			WHERE NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id)`)
		return translate(err)
	})
	return url, err
}
