package server

import (
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
// expensive answers faster than the limit. The client is c.RealIP() (see
// clientIPExtractor); the operator's own requests (isOperator) are not
// limited.
func (s *Server) limitExpensive() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool { return isOperator(c.Request()) || !s.isExpensive(c) },
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

// isExpensive tells the requests worth limiting: exports (the format as it
// will be served: f in any case, or the Accept header), tiles that PostGIS
// must build (filters the in-memory index does not hold), static map images
// and imports. A request whose parameters are wrong is not expensive: it
// gets its 400 at once.
func (s *Server) isExpensive(c echo.Context) bool {
	p := c.Request().URL.Path
	switch {
	case p == "/import" || p == "/map.png":
		return true
	case strings.HasSuffix(p, "/items"):
		f, err := negotiate(c, fJSON, fHTML, fGeoJSONSeq, fCSV)
		return err == nil && (f == fCSV || f == fGeoJSONSeq)
	case strings.HasPrefix(p, "/tiles/") && !strings.HasPrefix(p, "/tiles/basemap/"):
		if s.tiles == nil || c.Request().URL.RawQuery == "" {
			return false
		}
		f, err := parseFilter(c.QueryParams())
		return err == nil && s.tiles.NeedsDatabase(f)
	}
	return false
}
