package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"incidentmap/webhook"
)

// deliveryLog is a WebhookLog that answers every query with a full page
// and keeps the last query.
type deliveryLog struct{ last *webhook.LogQuery }

func (l deliveryLog) Deliveries(_ context.Context, q webhook.LogQuery) ([]webhook.Delivery, error) {
	*l.last = q
	out := make([]webhook.Delivery, q.Limit)
	for i := range out {
		out[i] = webhook.Delivery{ID: int64(1000 - i), State: webhook.StateDelivered}
	}
	return out, nil
}

func TestDeliveryLogParameters(t *testing.T) {
	var last webhook.LogQuery
	s := New(Config{Webhooks: deliveryLog{&last}, Auth: deskTokens})
	admin := []string{"Authorization", "Bearer r00t"}
	for _, tt := range []struct {
		query, param string // param: the one a 400 names; "" for 200
	}{
		{"", ""},
		{"?webhook=3&state=failed&limit=2&before=900", ""},
		{"?webhook=abc", "webhook"},
		{"?webhook=0", "webhook"},
		{"?before=-1", "before"},
		{"?limit=0", "limit"},
		{"?limit=1001", "limit"},
		{"?state=lost", "state"},
		{"?state=pending&state=failed", "state"},
		{"?secret=1", "secret"},
		{"?webhook=" + strings.Repeat("9", 40), "webhook"},
	} {
		rec := get(t, s, "/webhooks/deliveries"+tt.query, admin...)
		switch {
		case tt.param == "" && rec.Code != http.StatusOK:
			t.Errorf("%s: %d %s", tt.query, rec.Code, rec.Body)
		case tt.param != "" && (rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"parameter":"`+tt.param+`"`)):
			t.Errorf("%.60s: %d %s, want 400 naming %s", tt.query, rec.Code, rec.Body, tt.param)
		}
	}
	rec := get(t, s, "/webhooks/deliveries?webhook=3&state=failed&limit=2&before=900", admin...)
	if last != (webhook.LogQuery{Webhook: 3, State: "failed", Before: 900, Limit: 2}) {
		t.Errorf("query %+v", last)
	}
	if !strings.Contains(rec.Body.String(), "before=999") || !strings.Contains(rec.Body.String(), "state=failed") ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("next link or cache header: %v %s", rec.Header(), rec.Body)
	}
	if rec := get(t, s, "/webhooks/deliveries", "Authorization", "Bearer s3cret"); rec.Code != http.StatusForbidden {
		t.Errorf("an editor token: %d", rec.Code)
	}
	if rec := get(t, s, "/webhooks/deliveries"); rec.Code != http.StatusUnauthorized {
		t.Errorf("no token: %d", rec.Code)
	}
	if rec := get(t, New(Config{Auth: deskTokens}), "/webhooks/deliveries", admin...); rec.Code != http.StatusNotFound {
		t.Errorf("a server without a delivery log: %d", rec.Code)
	}
}
