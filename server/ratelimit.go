package server

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Rate limits of the expensive routes (full exports, static maps, imports),
// per client: a sustained rate and a burst.
const (
	expensiveRate  = 5
	expensiveBurst = 30
)

// limitExpensive answers 429 with Retry-After to a client that asks for
// expensive answers faster than the limit. Clients on this machine (health
// checks, the operator's tools) are not limited; behind a proxy, the client
// is the one X-Forwarded-For names (only trusted from private and loopback
// proxies).
func (s *Server) limitExpensive() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool { return !isExpensive(c) || isLoopback(c.RealIP()) },
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(expensiveRate), Burst: expensiveBurst, ExpiresIn: 3 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "2")
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many expensive requests: slow down and retry after 2 s")
		},
	})
}

// isExpensive tells the routes worth limiting: exports without a page
// limit, static map images and imports.
func isExpensive(c echo.Context) bool {
	p := c.Request().URL.Path
	switch {
	case p == "/import" || p == "/map.png":
		return true
	case strings.HasSuffix(p, "/items"):
		f := c.QueryParam("f")
		return f == fCSV || f == fGeoJSONSeq
	}
	return false
}

func isLoopback(ip string) bool {
	parsed := net.ParseIP(ip)
	return parsed != nil && parsed.IsLoopback()
}
