package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParsedTileRequestsStayBoundedAndKeepNoErrors(t *testing.T) {
	s := New(Config{Tiles: newFixedTiles(100), Logger: quietLogger()})
	serve := func(path string) int {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code
	}
	for i := range maxTileRequests + 100 {
		if code := serve(fmt.Sprintf("/tiles/8/126/118.mvt?datetime=2020-01-01/2020-01-%02d&min_fatalities=%d", 1+i%28, i)); code != http.StatusOK {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	parsedTiles.mu.RLock()
	n := len(parsedTiles.m)
	parsedTiles.mu.RUnlock()
	if n > maxTileRequests {
		t.Errorf("%d parsed tile requests kept, at most %d", n, maxTileRequests)
	}
	word := strings.Repeat("x", 199)
	long := "/tiles/8/126/118.mvt?datetime=2020-01-01/2020-01-31&admin1=" + word + "&actor=" + word + "&q=" + word
	for range 2 {
		if code := serve(long); code != http.StatusOK {
			t.Errorf("a long query: %d", code)
		}
	}
	parsedTiles.mu.RLock()
	_, kept := parsedTiles.m[tileURL{path: "/tiles/8/126/118.mvt", query: long[len("/tiles/8/126/118.mvt?"):]}]
	parsedTiles.mu.RUnlock()
	if kept {
		t.Errorf("a request of over %d bytes was kept", maxTileURL)
	}
	for range 2 { // the second time, a kept parse would answer 200
		if code := serve("/tiles/8/126/118.mvt?datetime=tomorrow"); code != http.StatusBadRequest {
			t.Errorf("a bad window: %d, want 400", code)
		}
		if code := serve("/tiles/8/x/118.mvt"); code != http.StatusBadRequest {
			t.Errorf("a bad x: %d, want 400", code)
		}
	}
	if code := serve("/tiles/8/126/118.mvt?datetime=2020-01-01/2020-01-31&color=red"); code != http.StatusBadRequest {
		t.Errorf("an unknown parameter after a kept parse of the same tile: %d, want 400", code)
	}
}
