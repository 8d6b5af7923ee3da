package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"incidentmap/store"
	"incidentmap/webhook"
)

// allowPrivateWebhooks reads webhook.AllowPrivateEnv: "1" or "true" lets
// webhooks reach loopback and private addresses.
func allowPrivateWebhooks(getenv func(string) string) bool {
	v := strings.ToLower(strings.TrimSpace(getenv(webhook.AllowPrivateEnv)))
	return v == "1" || v == "true" || v == "yes"
}

// webhookAddCommand subscribes a URL to the published changes. The URL,
// secret and events are checked before the database is opened; a bad one
// is one line of error.
func webhookAddCommand(fs *flag.FlagSet, cfg *config) func(context.Context, *env, []string) error {
	url := fs.String("url", "", "the receiver: an http or https URL")
	secret := fs.String("secret", "", "the HMAC-SHA256 key of the signatures, 16 to 256 bytes, shared with the receiver")
	events := fs.String("events", strings.Join(webhook.AllEvents, ","), "the operations to send: create, update, delete")
	return func(ctx context.Context, e *env, _ []string) error {
		h, err := webhook.New(*url, *secret, *events, cfg.WebhookAllowPrivate)
		if err != nil {
			return fmt.Errorf("webhook add: %w", err)
		}
		st, err := e.store()
		if err != nil {
			return err
		}
		if err := st.Migrate(ctx); err != nil {
			return err
		}
		if h, err = st.AddWebhook(ctx, h); err != nil {
			return fmt.Errorf("webhook add: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "added webhook %d: %s (%s)\n", h.ID, h.URL, strings.Join(h.Events, ","))
		return err
	}
}

// webhookListCommand prints the webhooks with the counts of their
// deliveries; never their secrets.
func webhookListCommand(*flag.FlagSet, *config) func(context.Context, *env, []string) error {
	return withStore(func(ctx context.Context, e *env, st *store.Store, _ []string) error {
		list, err := st.Webhooks(ctx)
		if err != nil {
			return fmt.Errorf("webhook list: %w", err)
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		_, _ = fmt.Fprintln(w, "ID\tURL\tEVENTS\tCREATED\tPENDING\tDELIVERED\tFAILED") // the tabwriter keeps it; Flush reports a failed write
		for _, h := range list {
			_, _ = fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\n", h.ID, h.URL, strings.Join(h.Events, ","),
				h.CreatedAt.UTC().Format(time.RFC3339), h.Pending, h.Delivered, h.Failed)
		}
		return w.Flush()
	})
}

// webhookRemoveCommand deletes a webhook, by id or URL, with its
// deliveries.
func webhookRemoveCommand(*flag.FlagSet, *config) func(context.Context, *env, []string) error {
	return withStore(func(ctx context.Context, e *env, st *store.Store, args []string) error {
		url, err := st.RemoveWebhook(ctx, args[0])
		if err != nil {
			return fmt.Errorf("webhook remove: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "removed webhook %s\n", url)
		return err
	})
}
