package server

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// slowRequest is the latency from which every request is logged at Info.
const slowRequest = 100 * time.Millisecond

// requestLogLevel is the level of a request's log line: Error for a 5xx,
// Debug (off by default) for a tile answered quickly with 2xx or 304 (a map
// asks for dozens of them a second, and their line would cost more than the
// answer), Info for everything else, slow tiles and tile errors included.
func requestLogLevel(c echo.Context, v middleware.RequestLoggerValues) slog.Level {
	switch {
	case v.Status >= http.StatusInternalServerError:
		return slog.LevelError
	case v.Status < http.StatusBadRequest && v.Latency < slowRequest && strings.HasPrefix(c.Path(), "/tiles/"):
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
