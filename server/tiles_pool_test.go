package server_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// A tile built from PostGIS (q is text search, which the index cannot
// answer) waits in a bounded pool: past the pool and its queue, it answers
// 503 with Retry-After at once rather than hang.
func TestTilesBeyondTheDatabasePoolAnswer503WithRetryAfter(t *testing.T) {
	a := testapp.Start(t)
	release := testenv.LockTable(t, a.DSN, "incidents")
	// The default pool: 3 builds and 8 waiting for 3 s; 6 more are refused.
	const asked = 17
	type answer struct {
		status     int
		retryAfter string
	}
	answers := make(chan answer, asked)
	client := &http.Client{Timeout: 30 * time.Second}
	for k := range asked {
		go func() {
			path := fmt.Sprintf("/tiles/0/0/0.mvt?q=synthetic&datetime=2020-01-%02d/..", 1+k)
			res, err := client.Get(a.URL + path)
			if err != nil {
				answers <- answer{status: -1}
				return
			}
			_, _ = io.Copy(io.Discard, res.Body) // only the status is checked
			res.Body.Close()
			answers <- answer{res.StatusCode, res.Header.Get("Retry-After")}
		}()
	}
	refused := 0
	timeout := time.After(2 * time.Second) // before the queue's wait ends
	for refused < 6 {
		select {
		case ans := <-answers:
			if ans.status != http.StatusServiceUnavailable || ans.retryAfter == "" {
				t.Fatalf("a tile beyond the pool: status %d, Retry-After %q; want 503 with Retry-After", ans.status, ans.retryAfter)
			}
			refused++
		case <-timeout:
			t.Fatalf("after 2 s, %d of %d tiles beyond the pool were refused: the others hang", refused, asked-11)
		}
	}
	release()
	for range asked - refused {
		if ans := <-answers; ans.status != http.StatusOK {
			t.Errorf("a tile in the pool or its queue, once the database is free: status %d", ans.status)
		}
	}
}
