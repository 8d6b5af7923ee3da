// Package webhook pushes the published changes of incidents to the URLs
// that subscribed to them: what a webhook is and which ones are accepted,
// how a delivery is signed, the SSRF guard of its HTTP client, and the
// worker that sends the deliveries of the outbox the database fills in the
// transaction of each change (store/migrations/000011_webhooks.up.sql). It
// knows no HTTP framework and no database driver: internal/cli hands the
// worker a Queue (*store.Store).
package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The operations a delivery announces, as its "op".
const (
	OpCreate = "create" // an incident became public: published when created, or a draft or retraction published
	OpUpdate = "update" // a public incident changed and is still public
	OpDelete = "delete" // a public incident was deleted, retracted or turned back into a draft
)

// AllEvents are the operations a webhook subscribes to by default.
var AllEvents = []string{OpCreate, OpUpdate, OpDelete}

// Bounds of a secret, in bytes.
const (
	MinSecret = 16
	MaxSecret = 256
)

// maxURL bounds a webhook's URL, in bytes.
const maxURL = 2048

// Hook is one subscription. Its secret keys the signature of every
// delivery; it never leaves the server but inside that signature.
type Hook struct {
	ID        int64
	URL       string
	Secret    string
	Events    []string
	CreatedAt time.Time
}

// Summary is a webhook as `webhook list` shows it: no secret, with the
// counts of its deliveries.
type Summary struct {
	ID        int64
	URL       string
	Events    []string
	CreatedAt time.Time
	Pending   int64
	Delivered int64
	Failed    int64
}

// New checks a webhook's URL, secret and events (see CheckURL, CheckSecret,
// ParseEvents) and returns it; the error names the first that is wrong.
func New(rawURL, secret, events string, allowPrivate bool) (Hook, error) {
	u, err := CheckURL(rawURL, allowPrivate)
	if err != nil {
		return Hook{}, err
	}
	if err := CheckSecret(secret); err != nil {
		return Hook{}, err
	}
	list, err := ParseEvents(events)
	if err != nil {
		return Hook{}, err
	}
	return Hook{URL: u, Secret: secret, Events: list}, nil
}

// CheckURL accepts an absolute http or https URL with a host, without
// credentials, fragment, spaces or control characters, of at most 2048
// bytes, and returns it as given. Unless allowPrivate, a host that is an IP
// address of a private network (see Forbidden) or "localhost" is refused
// too; the worker checks every address it dials again, so a name that
// resolves to one is refused when delivering.
func CheckURL(raw string, allowPrivate bool) (string, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("--url %q: "+format, append([]any{clip(raw)}, a...)...)
	}
	if raw == "" {
		return "", errors.New("--url is required")
	}
	if len(raw) > maxURL {
		return "", fmt.Errorf("--url is %d bytes long, more than %d", len(raw), maxURL)
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", bad("contains a space or a control character")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", bad("is not a URL (%v)", errors.Unwrap(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("must start with http:// or https://")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "", bad("has no host")
	case u.User != nil:
		return "", bad("must not carry credentials (user:password@): sign with --secret instead")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", bad("must not have a fragment (#...)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", bad("has no port between 1 and 65535")
		}
	}
	if !allowPrivate {
		host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return "", bad("points at this machine (set %s=1 to allow private targets)", AllowPrivateEnv)
		}
		if ip, err := netip.ParseAddr(host); err == nil && Forbidden(ip) {
			return "", bad("points at a private or reserved address (set %s=1 to allow private targets)", AllowPrivateEnv)
		}
	}
	return raw, nil
}

// CheckSecret accepts a secret of 16 to 256 bytes without spaces at either
// end or control characters, so that it reads the same on both sides.
func CheckSecret(secret string) error {
	switch {
	case secret == "":
		return errors.New("--secret is required (16 to 256 bytes, shared with the receiver)")
	case len(secret) < MinSecret:
		return fmt.Errorf("--secret is %d bytes long: it needs at least %d", len(secret), MinSecret)
	case len(secret) > MaxSecret:
		return fmt.Errorf("--secret is %d bytes long: it may have at most %d", len(secret), MaxSecret)
	case strings.ContainsFunc(secret, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return errors.New("--secret contains a control character")
	case strings.TrimSpace(secret) != secret:
		return errors.New("--secret starts or ends with a space")
	}
	return nil
}

// ParseEvents reads a comma-separated list of create, update and delete
// ("" is all three), without repeats, in the order of AllEvents.
func ParseEvents(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(AllEvents), nil
	}
	seen := map[string]bool{}
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if !slices.Contains(AllEvents, e) {
			return nil, fmt.Errorf("--events: %q is not an event; use create, update, delete", clip(e))
		}
		seen[e] = true
	}
	var out []string
	for _, e := range AllEvents {
		if seen[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// clip shortens a hostile value for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// AllowPrivateEnv names the environment variable that, set to 1, lets
// webhooks reach loopback and private addresses (tests, an intranet
// receiver).
const AllowPrivateEnv = "INCIDENTMAP_WEBHOOK_ALLOW_PRIVATE"

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Forbidden reports whether ip is an address a webhook may not reach
// without AllowPrivateEnv: loopback, private (RFC 1918, RFC 4193),
// carrier-grade NAT, link-local (cloud metadata services live there),
// multicast and unspecified addresses.
func Forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip) ||
		!ip.IsValid()
}

// hostIP parses the IP of a dialed address "host:port".
func hostIP(address string) (netip.Addr, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return netip.Addr{}, err
	}
	return netip.ParseAddr(host)
}
