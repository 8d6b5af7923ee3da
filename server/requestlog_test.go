package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// logLevels serves each path once and returns the level of its request
// log line ("" when there is none), with the logger at level. The paths
// must differ before their queries.
func logLevels(t *testing.T, tiles *fixedTiles, level slog.Level, paths ...string) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	s := New(Config{Tiles: tiles, Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))})
	for _, p := range paths {
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	out := map[string]string{}
	for _, p := range paths {
		out[p] = ""
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		var rec struct{ Msg, Level, Path string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" {
			for _, p := range paths {
				if path, _, _ := strings.Cut(p, "?"); path == rec.Path {
					out[p] = rec.Level
				}
			}
		}
	}
	return out
}

func TestQuickTileAnswersAreLoggedAtDebug(t *testing.T) {
	const tile, bad, tileJSON = "/tiles/8/126/118.mvt", "/tiles/8/126/119.mvt?color=red", "/tiles.json"
	got := logLevels(t, newFixedTiles(1000), slog.LevelDebug, tile, tileJSON)
	if got[tile] != "DEBUG" || got[tileJSON] != "INFO" {
		t.Errorf("levels %v: a quick tile at DEBUG, other routes at INFO", got)
	}
	got = logLevels(t, newFixedTiles(1000), slog.LevelInfo, tile, bad)
	if got[tile] != "" || got[bad] != "INFO" {
		t.Errorf("levels at Info %v: no line for a quick tile, one for a refused tile", got)
	}
	slow := newFixedTiles(1000)
	slow.delay = slowRequest + 10*time.Millisecond
	if got := logLevels(t, slow, slog.LevelInfo, tile); got[tile] != "INFO" {
		t.Errorf("a slow tile is logged at %q, want INFO", got[tile])
	}
}

func TestRequestIDsAre32LettersAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := newRequestID()
		if len(id) != 32 || strings.Trim(id, idLetters) != "" {
			t.Fatalf("request id %q: want 32 letters", id)
		}
		if seen[id] {
			t.Fatalf("request id %q given twice", id)
		}
		seen[id] = true
	}
}
