package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"incidentmap/internal/testenv"
)

func TestWebhookAddRefusesBadInputBeforeTheDatabase(t *testing.T) {
	noEnv := func(string) string { return "" } // no DATABASE_URL: a refusal must come first
	good := []string{"--url", "https://hooks.example.org/in", "--secret", "sixteen-bytes-ok"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--secret", "sixteen-bytes-ok"}, "--url is required"},
		{[]string{"--url", "ftp://example.org/", "--secret", "sixteen-bytes-ok"}, "http:// or https://"},
		{[]string{"--url", "https://u:p@example.org/", "--secret", "sixteen-bytes-ok"}, "credentials"},
		{[]string{"--url", "https://example.org/#x", "--secret", "sixteen-bytes-ok"}, "fragment"},
		{[]string{"--url", "https:///x", "--secret", "sixteen-bytes-ok"}, "no host"},
		{[]string{"--url", "http://127.0.0.1:9000/", "--secret", "sixteen-bytes-ok"}, "INCIDENTMAP_WEBHOOK_ALLOW_PRIVATE"},
		{[]string{"--url", "https://example.org/"}, "--secret is required"},
		{[]string{"--url", "https://example.org/", "--secret", "short"}, "at least 16"},
		{[]string{"--url", "https://example.org/", "--secret", strings.Repeat("s", 300)}, "at most 256"},
		{append(good, "--events", "create,publish"), `"publish" is not an event`},
	} {
		err := Run(context.Background(), append([]string{"webhook", "add"}, tt.args...), noEnv, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("webhook add %q = %v, want one line saying %q", tt.args, err, tt.want)
		}
	}
}

func TestWebhookAddListRemove(t *testing.T) {
	settings := map[string]string{"DATABASE_URL": testenv.NewDatabase(t)}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(context.Background(), args, func(k string) string { return settings[k] }, nil, &out, io.Discard)
		return out.String(), err
	}
	secret := "do-not-print-this-secret"
	out, err := run("webhook", "add", "--url", "https://hooks.example.org/a", "--secret", secret, "--events", "delete,create")
	if err != nil || out != "added webhook 1: https://hooks.example.org/a (create,delete)\n" {
		t.Fatalf("add = %q, %v", out, err)
	}
	if _, err := run("webhook", "add", "--url", "https://hooks.example.org/b", "--secret", secret); err != nil {
		t.Fatal(err)
	}
	if _, err := run("webhook", "add", "--url", "https://hooks.example.org/a", "--secret", secret); err == nil ||
		!strings.Contains(err.Error(), "exists already") {
		t.Errorf("the same URL again: %v", err)
	}
	out, err = run("webhook", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "https://hooks.example.org/a") ||
		!strings.Contains(lines[1], "create,delete") || !strings.Contains(lines[2], "create,update,delete") {
		t.Errorf("list:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("list prints the secret:\n%s", out)
	}
	if out, err := run("webhook", "remove", "1"); err != nil || out != "removed webhook https://hooks.example.org/a\n" {
		t.Errorf("remove by id = %q, %v", out, err)
	}
	if _, err := run("webhook", "remove", "https://hooks.example.org/b"); err != nil {
		t.Errorf("remove by URL: %v", err)
	}
	if _, err := run("webhook", "remove", "https://hooks.example.org/b"); err == nil || !strings.Contains(err.Error(), "no webhook") {
		t.Errorf("remove again: %v", err)
	}
	if out, _ := run("webhook", "list"); strings.TrimSpace(out) != strings.Split(out, "\n")[0] {
		t.Errorf("list after removing both:\n%s", out)
	}
}
