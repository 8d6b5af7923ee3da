package webhook

import (
	"net/netip"
	"strings"
	"testing"
)

// A webhook's URL must name a receiver on the internet; the refusal says
// why in one line.
func TestCheckURLRefusesWhatCannotBeAReceiver(t *testing.T) {
	for _, tt := range []struct {
		url, why string // why: a word of the error; "" when accepted
	}{
		{"https://hooks.example.org/incidentmap", ""},
		{"http://example.org:8080/in?x=1", ""},
		{"", "required"},
		{"ftp://example.org/", "http:// or https://"},
		{"example.org/hook", "http:// or https://"},
		{"https:///path", "no host"},
		{"https://:443/", "no host"},
		{"https:example.org", "no host"},
		{"https://user:pw@example.org/", "credentials"},
		{"https://user@example.org/", "credentials"},
		{"https://example.org/#frag", "fragment"},
		{"https://example.org/a b", "space"},
		{"https://example.org/\x00", "control"},
		{"https://example.org:99999/", "port"},
		{"https://example.org:0/", "port"},
		{"https://" + strings.Repeat("a", 2100) + ".org/", "bytes long"},
		{"http://127.0.0.1:8080/", "private or reserved"},
		{"http://[::1]/", "private or reserved"},
		{"http://10.1.2.3/", "private or reserved"},
		{"http://169.254.169.254/latest/meta-data", "private or reserved"},
		{"http://localhost:9000/", "this machine"},
		{"http://LOCALHOST./", "this machine"},
	} {
		_, err := CheckURL(tt.url, false)
		switch {
		case tt.why == "" && err != nil:
			t.Errorf("%.60q refused: %v", tt.url, err)
		case tt.why != "" && (err == nil || !strings.Contains(err.Error(), tt.why)):
			t.Errorf("%.60q: err %v, want one saying %q", tt.url, err, tt.why)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("%.60q: the error takes more than one line: %q", tt.url, err)
		}
	}
	if _, err := CheckURL("http://127.0.0.1:8080/", true); err != nil {
		t.Errorf("a loopback target with private targets allowed: %v", err)
	}
}

func TestCheckSecretAndEvents(t *testing.T) {
	for secret, ok := range map[string]bool{
		"sixteen-bytes-ok":         true,
		strings.Repeat("s", 256):   true,
		"":                         false,
		"fifteen-bytes!!":          false,
		strings.Repeat("s", 257):   false,
		"has a\nnewline in it....": false,
		" starts-with-a-space....": false,
	} {
		if err := CheckSecret(secret); (err == nil) != ok {
			t.Errorf("secret %.20q: %v, want accepted %v", secret, err, ok)
		}
	}
	for events, want := range map[string]string{
		"":                     "create,update,delete",
		"delete":               "delete",
		"delete, create,":      "!",
		"update,create,update": "create,update",
		"publish":              "!",
		"CREATE":               "!",
	} {
		got, err := ParseEvents(events)
		if want == "!" {
			if err == nil {
				t.Errorf("events %q accepted as %v", events, got)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("events %q = %v, %v; want %s", events, got, err, want)
		}
	}
}

func TestSignatureIsTheHMACOfTheRawBody(t *testing.T) {
	body := []byte(`{"id":"moura","op":"create","seq":1,"at":"2022-03-27T00:00:00Z","url":"https://x/y"}`)
	sig := Sign("a-secret-of-16-bytes", body)
	// echo -n "$body" | openssl dgst -sha256 -hmac a-secret-of-16-bytes
	if want := "sha256=2424cc6dcb2e591fca2174c5565c315adade6d62d0adbc4566eadab3f41b4a5a"; sig != want {
		t.Fatalf("signature %s, want %s (openssl's)", sig, want)
	}
	if !Verify("a-secret-of-16-bytes", body, sig) {
		t.Error("a good signature refused")
	}
	for _, bad := range []string{"", sig[7:], "sha256=zz", Sign("another-secret-16b", body)} {
		if Verify("a-secret-of-16-bytes", body, bad) {
			t.Errorf("signature %q accepted", bad)
		}
	}
	if Verify("a-secret-of-16-bytes", append(body, ' '), sig) {
		t.Error("a signature accepted for another body")
	}
}

func TestForbiddenAddresses(t *testing.T) {
	for addr, forbidden := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.0.0.1": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "100.64.0.1": true, "fd00::1": true, "fe80::1": true, "0.0.0.0": true,
		"224.0.0.1": true, "::ffff:127.0.0.1": true,
		"93.184.216.34": false, "2606:2800:220:1::1": false, "1.1.1.1": false,
	} {
		if got := Forbidden(netip.MustParseAddr(addr)); got != forbidden {
			t.Errorf("Forbidden(%s) = %v", addr, got)
		}
	}
}
