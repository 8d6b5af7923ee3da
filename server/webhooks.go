package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
	"incidentmap/webhook"
)

// WebhookLog reads the log of webhook deliveries.
type WebhookLog interface {
	// Deliveries lists a page of deliveries, newest first (see
	// webhook.LogQuery).
	Deliveries(ctx context.Context, q webhook.LogQuery) ([]webhook.Delivery, error)
}

// Page sizes of the delivery log.
const (
	defaultDeliveries = 100
	maxDeliveries     = 1000
)

// webhookRoutes serve the delivery log to admin tokens.
func (s *Server) webhookRoutes() {
	if s.webhooks != nil {
		s.echo.GET("/webhooks/deliveries", s.webhookDeliveries, s.requireScope(scopeAdmin))
	}
}

// webhookDeliveries answers /webhooks/deliveries?webhook=ID&state=S&limit=N&before=ID:
// the deliveries of the webhooks, newest first, with a next link while a
// page comes back full. Secrets are never part of it.
func (s *Server) webhookDeliveries(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, []string{"webhook", "state", "limit", "before"}); err != nil {
		return err
	}
	lq := webhook.LogQuery{State: q.Get("state"), Limit: defaultDeliveries}
	switch lq.State {
	case "", webhook.StatePending, webhook.StateDelivered, webhook.StateFailed:
	default:
		return geo.Invalid("state", "%q is not a state: use pending, delivered or failed", safe(lq.State))
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"webhook", &lq.Webhook}, {"before", &lq.Before}} {
		if q.Has(p.name) {
			n, err := parseInt(q.Get(p.name), p.name, 1, 1<<62)
			if err != nil {
				return err
			}
			*p.dst = int64(n)
		}
	}
	if q.Has("limit") {
		n, err := parseInt(q.Get("limit"), "limit", 1, maxDeliveries)
		if err != nil {
			return err
		}
		lq.Limit = n
	}
	list, err := s.webhooks.Deliveries(c.Request().Context(), lq)
	if err != nil {
		return err
	}
	links := []link{}
	if len(list) == lq.Limit {
		next := url.Values{"before": {strconv.FormatInt(list[len(list)-1].ID, 10)}, "limit": {strconv.Itoa(lq.Limit)}}
		if lq.Webhook != 0 {
			next.Set("webhook", strconv.FormatInt(lq.Webhook, 10))
		}
		if lq.State != "" {
			next.Set("state", lq.State)
		}
		links = append(links, link{Href: s.baseURL(c) + "/webhooks/deliveries?" + next.Encode(), Rel: "next",
			Type: mediaJSON, Title: "Older deliveries"})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"deliveries": list, "links": links})
}
