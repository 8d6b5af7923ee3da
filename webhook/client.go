package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// errForbiddenTarget refuses a connection to a private address.
var errForbiddenTarget = errors.New("refused: the address is loopback, private or reserved (see " + AllowPrivateEnv + ")")

// newClient is the HTTP client of deliveries: each request has timeout in
// all; redirects are not followed (a 3xx is a failure, retried); no proxy
// from the environment. Unless allowPrivate, every address it dials is
// checked after the name is resolved (so that DNS cannot point a public
// name at an inside address) and refused when Forbidden.
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ip, err := hostIP(address)
			if err != nil {
				return fmt.Errorf("dial %s: %w", address, err)
			}
			if Forbidden(ip) {
				return fmt.Errorf("dial %s: %w", address, errForbiddenTarget)
			}
			return nil
		}
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           func(ctx context.Context, n, a string) (net.Conn, error) { return dialer.DialContext(ctx, n, a) },
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Timeout:       timeout,
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
