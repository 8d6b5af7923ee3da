package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// feature is one valid GeoJSONSeq line.
func feature(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../ingest/testdata/synthetic-feature.json")
	if err != nil {
		t.Fatal(err)
	}
	return "\x1e" + strings.TrimSpace(string(raw)) + "\n"
}

// uploadServer serves s over TCP with the server-wide read timeout of
// internal/cli/serve.go, shortened.
func uploadServer(t *testing.T, s *Server, readTimeout time.Duration) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ReadTimeout = readTimeout
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// sendImport opens a connection, sends the headers of a POST /import of
// declared bytes, then calls send with the connection; it returns the
// status line and body of the answer.
func sendImport(t *testing.T, addr string, declared int, send func(net.Conn)) (string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = fmt.Fprintf(conn, "POST /import?format=geojsonseq HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer r00t\r\n"+
		"Content-Type: application/geo+json-seq\r\nContent-Length: %d\r\n\r\n", declared)
	send(conn)
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.Status, string(body)
}

// An upload that ends before its Content-Length is reported as cut short,
// with the bytes that arrived, not as bad data.
func TestImportCutShortIsNotBadData(t *testing.T) {
	line := feature(t)
	sent := strings.Repeat(line, 20) + line[:len(line)/2]
	status, body := sendImport(t, uploadServer(t, New(Config{Importer: importCounter{}, Auth: deskTokens}), time.Minute), 10*len(sent),
		func(c net.Conn) {
			_, _ = io.WriteString(c, sent)
			_ = c.(*net.TCPConn).CloseWrite()
		})
	want := fmt.Sprintf("cut short after %d bytes", len(sent))
	if !strings.HasPrefix(status, "400") || !strings.Contains(body, want) || !strings.Contains(body, `"parameter":"body"`) {
		t.Errorf("%s %s; want 400 saying %q", status, body, want)
	}
}

// An upload that falls silent is cut after the idle timeout, and says so.
func TestImportIdleUploadIsCut(t *testing.T) {
	s := New(Config{Importer: importCounter{}, Auth: deskTokens})
	s.uploadIdle = 300 * time.Millisecond
	line := feature(t)
	status, body := sendImport(t, uploadServer(t, s, time.Minute), 100*len(line), func(c net.Conn) {
		_, _ = io.WriteString(c, line)
	})
	if !strings.HasPrefix(status, "400") || !strings.Contains(body, "no byte arrived for 300ms") {
		t.Errorf("%s %s", status, body)
	}
}

// A large import sent slowly but steadily lands, however long it takes:
// the server-wide read timeout does not cut it.
func TestSlowSteadyImportLands(t *testing.T) {
	line := feature(t)
	const lines = 12
	status, body := sendImport(t, uploadServer(t, New(Config{Importer: importCounter{}, Auth: deskTokens}), time.Second), lines*len(line),
		func(c net.Conn) {
			for range lines {
				_, _ = io.WriteString(c, line)
				time.Sleep(200 * time.Millisecond) // 2.4 s in all, past the 1 s read timeout
			}
		})
	if !strings.HasPrefix(status, "200") || !strings.Contains(body, fmt.Sprintf(`"imported":%d`, lines)) {
		t.Errorf("%s %s", status, body)
	}
}
