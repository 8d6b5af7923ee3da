package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Limits of the expensive requests (exports, tiles PostGIS builds, large
// pages, static maps, imports), per client: a sustained rate and a burst,
// and how many may run at once. The second matters most on a small
// machine: a client sending a few heavy requests back to back stays under
// any rate, yet may keep both cores busy; with at most two at a time it
// takes at most its share.
const (
	expensiveRate     = 5
	expensiveBurst    = 30
	expensiveInFlight = 2
)

// limitExpensive answers 429 with Retry-After to a client that asks for
// expensive answers faster than the rate, or while it already has
// expensiveInFlight of them running. The client is c.RealIP() (see
// clientIPExtractor); the operator's own requests (isOperator) are not
// limited.
func (s *Server) limitExpensive() echo.MiddlewareFunc {
	rateLimit := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(expensiveRate), Burst: expensiveBurst, ExpiresIn: 3 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "2")
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many expensive requests: slow down and retry after 2 s")
		},
	})
	running := &clientCounts{n: map[string]int{}}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		limited := rateLimit(next)
		return func(c echo.Context) error {
			if isOperator(c.Request()) || !s.isExpensive(c) {
				return next(c)
			}
			client := c.RealIP()
			if !running.take(client, expensiveInFlight) {
				c.Response().Header().Set("Retry-After", "2")
				return echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf("this client already runs %d expensive "+
					"requests (exports, tiles built by the database, large pages, maps): wait for one to end", expensiveInFlight))
			}
			defer running.give(client)
			return limited(c)
		}
	}
}

// clientCounts counts the requests each client has running.
type clientCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// take counts one more request of client, unless it runs max already.
func (cc *clientCounts) take(client string, max int) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.n[client] >= max {
		return false
	}
	cc.n[client]++
	return true
}

// give counts one request of client less.
func (cc *clientCounts) give(client string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.n[client]--; cc.n[client] <= 0 {
		delete(cc.n, client)
	}
}

// isExpensive tells the requests worth limiting: exports (the format as it
// will be served: f in any case, or the Accept header), pages of more than
// largePageLimit features, tiles that PostGIS
// must build (filters the in-memory index does not hold), static map images
// and imports. A request whose parameters are wrong is not expensive: it
// gets its 400 at once.
func (s *Server) isExpensive(c echo.Context) bool {
	p := c.Request().URL.Path
	switch {
	case p == "/import" || p == "/map.png":
		return true
	case strings.HasSuffix(p, "/items"):
		f, err := negotiate(c, incidentFormats...)
		return err == nil && (exportsEveryMatch(f) || largePage(c.QueryParam("limit")))
	case strings.HasPrefix(p, "/tiles/") && !strings.HasPrefix(p, "/tiles/basemap/"):
		if s.tiles == nil || c.Request().URL.RawQuery == "" {
			return false
		}
		f, err := parseFilter(c.QueryParams())
		return err == nil && s.tiles.NeedsDatabase(f)
	}
	return false
}

// largePageLimit is the largest page that is not an expensive request: a
// page of 10,000 features reads and encodes as much as a small export.
const largePageLimit = 1000

// largePage reports whether a limit asks for more than largePageLimit
// features (a limit that does not parse gets its 400 from the handler).
func largePage(limit string) bool {
	n, err := strconv.Atoi(strings.TrimSpace(limit))
	return err == nil && n > largePageLimit
}
