package server

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Who a client is. Rate limits and the per-client caps key on c.RealIP(),
// which the extractor below fills: the peer address, unless the peer is a
// trusted proxy, then the right-most address of X-Forwarded-For that is not
// a trusted proxy itself. A client cannot choose its own key by sending
// X-Forwarded-For: from an untrusted peer the header is ignored.

// loopbackProxies are the proxies trusted when none are configured: only a
// proxy on this machine (nginx in front of the server, say).
var loopbackProxies = []*net.IPNet{
	{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)},
	{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
}

// ParseTrustedProxies reads INCIDENTMAP_TRUSTED_PROXIES: CIDRs (or single
// addresses) separated by commas or spaces. Empty means loopback only. It
// fails on anything that is not an address or a CIDR.
func ParseTrustedProxies(s string) ([]*net.IPNet, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return loopbackProxies, nil
	}
	nets := make([]*net.IPNet, 0, len(fields))
	for _, f := range fields {
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("INCIDENTMAP_TRUSTED_PROXIES: %q is neither an address nor a CIDR", f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("INCIDENTMAP_TRUSTED_PROXIES: %q is not a CIDR", f)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// clientIPExtractor trusts X-Forwarded-For only from the given proxies
// (none of Echo's defaults: private ranges are not trusted by themselves).
func clientIPExtractor(proxies []*net.IPNet) echo.IPExtractor {
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		opts = append(opts, echo.TrustIPRange(p))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// isOperator reports whether a request comes from this machine with no
// forwarding header: the operator's own tools (health checks, imports from a
// shell), which limits do not apply to. A request relayed by a local proxy
// carries X-Forwarded-For (or Forwarded) and is limited like any other.
func isOperator(r *http.Request) bool {
	if r.Header.Get(echo.HeaderXForwardedFor) != "" || r.Header.Get("Forwarded") != "" ||
		r.Header.Get(echo.HeaderXRealIP) != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
