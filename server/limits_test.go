package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// indexTiles is a tile service whose index holds every filter but q.
type indexTiles struct{}

func (indexTiles) Tile(_ context.Context, _ maptile.Tile, _ geo.Filter, gz bool) ([]byte, string, error) {
	if gz {
		return gzipped("tile"), `"t"`, nil
	}
	return []byte("tile"), `"t"`, nil
}
func (indexTiles) NeedsDatabase(f geo.Filter) bool { return f.Query != "" }

// client is one origin of requests: the peer address and, behind a proxy,
// the X-Forwarded-For header the proxy sent.
type client struct{ peer, forwardedFor string }

func (cl client) do(s *Server, target string, header ...string) int {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = cl.peer
	if cl.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", cl.forwardedFor)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

// tooMany counts the 429 answers to n requests of one client.
func (cl client) tooMany(s *Server, n int, target string, header ...string) int {
	limited := 0
	for range n {
		if cl.do(s, target, header...) == http.StatusTooManyRequests {
			limited++
		}
	}
	return limited
}

func limitsServer(proxies ...string) *Server {
	nets, err := ParseTrustedProxies(strings.Join(proxies, ","))
	if err != nil {
		panic(err)
	}
	return New(Config{Incidents: incidentShelf{}, Tiles: indexTiles{}, TrustedProxies: nets})
}

// Every spelling of an export counts against one limit: the format as it
// will be served, from f in any case or from Accept.
func TestExportsAreLimitedWhateverTheirSpelling(t *testing.T) {
	s := limitsServer()
	someone := client{peer: "203.0.113.9:40000"}
	spellings := [][]string{
		{"/collections/incidents/items?f=CSV"},
		{"/collections/incidents/items?f=GeoJSONSeq"},
		{"/collections/incidents/items", "Accept", "text/csv"},
		{"/collections/incidents/items", "Accept", "application/geo+json-seq"},
		{"/collections/incidents/items?f=GPKG"},
		{"/collections/incidents/items", "Accept", "application/geopackage+sqlite3"},
	}
	limited := 0
	for i := range 80 {
		sp := spellings[i%len(spellings)]
		if someone.do(s, sp[0], sp[1:]...) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 80-expensiveBurst-5 {
		t.Errorf("80 quick exports in six spellings: %d answered 429, want about %d", limited, 80-expensiveBurst)
	}
	if n := someone.tooMany(s, 40, "/collections/incidents/items?f=json"); n != 0 {
		t.Errorf("pages are not exports, yet %d of 40 answered 429", n)
	}
}

// Tiles that PostGIS builds are limited like exports; tiles from the index
// are not.
func TestDatabaseTilesAreLimited(t *testing.T) {
	s := limitsServer()
	someone := client{peer: "203.0.113.9:40000"}
	if n := someone.tooMany(s, 80, "/tiles/3/3/3.mvt?q=moura"); n < 80-expensiveBurst-5 {
		t.Errorf("80 quick tiles with q: %d answered 429", n)
	}
	if n := someone.tooMany(s, 80, "/tiles/3/3/3.mvt?datetime=2022-03-27"); n != 0 {
		t.Errorf("tiles the index builds: %d of 80 answered 429", n)
	}
}

// A client is its peer address: X-Forwarded-For counts only from a trusted
// proxy (loopback by default), and then its right-most untrusted address
// names the client. Only loopback requests without forwarding headers (the
// operator's tools) go unlimited.
func TestClientsAreKeyedOnWhatTheyCannotForge(t *testing.T) {
	const export = "/collections/incidents/items?f=csv"
	t.Run("an untrusted peer claiming loopback is still itself", func(t *testing.T) {
		s := limitsServer()
		liar := client{peer: "10.1.2.3:5000", forwardedFor: "127.0.0.1"}
		if n := liar.tooMany(s, 60, export); n == 0 {
			t.Error("a private-network peer that claims to be loopback was never limited")
		}
	})
	t.Run("an untrusted peer cannot take a fresh key per request", func(t *testing.T) {
		s := limitsServer()
		limited := 0
		for i := range 60 {
			c := client{peer: "10.1.2.3:5000", forwardedFor: "198.51.100." + string(rune('0'+i%10))}
			if c.do(s, export) == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited == 0 {
			t.Error("changing X-Forwarded-For from an untrusted peer escaped the limit")
		}
	})
	t.Run("behind the local proxy, each forwarded client has its own limit", func(t *testing.T) {
		s := limitsServer()
		first := client{peer: "127.0.0.1:5000", forwardedFor: "198.51.100.1"}
		second := client{peer: "127.0.0.1:5000", forwardedFor: "198.51.100.2"}
		if n := first.tooMany(s, 60, export); n == 0 {
			t.Error("a client relayed by the local proxy was never limited")
		}
		if n := second.tooMany(s, 10, export); n != 0 {
			t.Errorf("another client behind the same proxy got %d 429s", n)
		}
	})
	t.Run("the right-most untrusted address of a chain of trusted proxies", func(t *testing.T) {
		s := limitsServer("10.0.0.0/8")
		chained := client{peer: "10.0.0.5:5000", forwardedFor: "127.0.0.1, 198.51.100.7, 10.0.0.9"}
		if n := chained.tooMany(s, 60, export); n == 0 {
			t.Error("a client behind two trusted proxies was never limited")
		}
		other := client{peer: "10.0.0.5:5000", forwardedFor: "198.51.100.8, 10.0.0.9"}
		if n := other.tooMany(s, 10, export); n != 0 {
			t.Errorf("another client behind the same proxies got %d 429s", n)
		}
	})
	t.Run("the operator's own tools are exempt", func(t *testing.T) {
		s := limitsServer()
		operator := client{peer: "127.0.0.1:5000"}
		if n := operator.tooMany(s, 60, export); n != 0 {
			t.Errorf("loopback without forwarding headers got %d 429s", n)
		}
	})
}

func TestParseTrustedProxies(t *testing.T) {
	for _, good := range []string{"", "10.0.0.0/8", "10.0.0.0/8, 192.168.1.1", "::1 fd00::/8"} {
		if _, err := ParseTrustedProxies(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// gzipped compresses s, as the tile service hands tiles over.
func gzipped(s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(s)) // into a bytes.Buffer: cannot fail
	_ = zw.Close()
	return buf.Bytes()
}

// heldTiles builds every tile from the database and holds each until
// release is closed.
type heldTiles struct {
	indexTiles
	started chan struct{}
	release chan struct{}
}

func (h heldTiles) NeedsDatabase(geo.Filter) bool { return true }
func (h heldTiles) Tile(ctx context.Context, t maptile.Tile, f geo.Filter, gz bool) ([]byte, string, error) {
	h.started <- struct{}{}
	<-h.release
	return h.indexTiles.Tile(ctx, t, f, gz)
}

// A client runs at most two expensive requests at once, whatever their
// pace: a third waits for nothing and gets 429; another client is not
// held back; large pages count as expensive.
func TestExpensiveRequestsRunTwoAtATimePerClient(t *testing.T) {
	held := heldTiles{started: make(chan struct{}), release: make(chan struct{})}
	s := New(Config{Incidents: incidentShelf{}, Tiles: held})
	abuser := client{peer: "203.0.113.9:40000"}
	done := make(chan int, 2)
	for range 2 {
		go func() { done <- abuser.do(s, "/tiles/0/0/0.mvt?q=synthetic") }()
		<-held.started
	}
	if code := abuser.do(s, "/collections/incidents/items?f=csv"); code != http.StatusTooManyRequests {
		t.Errorf("a third expensive request beside two running: %d, want 429", code)
	}
	if code := abuser.do(s, "/collections/incidents/items?limit=5000"); code != http.StatusTooManyRequests {
		t.Errorf("a large page beside two running: %d, want 429", code)
	}
	if code := abuser.do(s, "/collections/incidents/items?limit=50"); code == http.StatusTooManyRequests {
		t.Errorf("a small page is not expensive, yet got 429")
	}
	if code := (client{peer: "198.51.100.4:1"}).do(s, "/collections/incidents/items?f=csv"); code != http.StatusOK {
		t.Errorf("another client's export: %d", code)
	}
	close(held.release)
	for range 2 {
		if code := <-done; code != http.StatusOK {
			t.Errorf("held tile: %d", code)
		}
	}
	if code := abuser.do(s, "/collections/incidents/items?f=csv"); code != http.StatusOK {
		t.Errorf("once the two ended: %d", code)
	}
}
