package server

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// slowRequest is the latency from which every request is logged at Info.
const slowRequest = 100 * time.Millisecond

// requestLogLevel is the level of a request's log line: Error for a 5xx,
// Debug (off by default) for a tile answered quickly with 2xx or 304 (a map
// asks for dozens of them a second, and their line would cost more than the
// answer), Info for everything else, slow tiles and tile errors included.
// route is the route pattern that answered (c.Path()).
func requestLogLevel(route string, status int, latency time.Duration) slog.Level {
	switch {
	case status >= http.StatusInternalServerError:
		return slog.LevelError
	case status < http.StatusBadRequest && latency < slowRequest && isTilePath(route):
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// logRequest writes the log line of an answered request (see
// requestLogLevel), when the logger takes its level.
func (s *Server) logRequest(r *http.Request, route, id string, status int, latency time.Duration, size int64) {
	level := requestLogLevel(route, status, latency)
	if !s.log.Enabled(r.Context(), level) {
		return
	}
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("id", id), slog.String("method", r.Method), slog.String("path", path),
		slog.Int("status", status), slog.Duration("latency", latency), slog.Int64("bytes", size))
}

// idLetters are the characters of request ids, as Echo's own generator
// uses.
const idLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newRequestID returns 32 random letters, like Echo's default request ids,
// from math/rand/v2's per-thread ChaCha8 source (unpredictable, no lock)
// rather than crypto/rand through a pool of buffered readers: a tile
// answer's id costs one allocation, not three and a syscall now and then.
func newRequestID() string {
	var b [32]byte
	for i := 0; i < len(b); {
		v := rand.Uint64()
		for j := 0; j < 11 && i < len(b); j++ { // 52^11 < 2^64
			b[i] = idLetters[v%uint64(len(idLetters))]
			v /= uint64(len(idLetters))
			i++
		}
	}
	return string(b[:])
}
