package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readyzServer answers /readyz with body.
func readyzServer(t *testing.T, body string) string {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestWaitReadyWantsTheTileIndexUnlessToldOtherwise(t *testing.T) {
	for _, tt := range []struct {
		name, body    string
		noTileIndexOK bool
		ready         bool
		warning       bool
	}{
		{"tile index ready", `{"status":"ready","tile_index":{"ready":true,"incidents":3}}`, false, true, false},
		{"tile index loading", `{"status":"ready","tile_index":{"ready":false,"incidents":1}}`, true, false, false},
		{"no tile index, not accepted", `{"status":"ready"}`, false, false, false},
		{"no tile index, accepted", `{"status":"ready"}`, true, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{Base: readyzServer(t, tt.body), prog: "test", done: make(chan struct{})}
			err := s.waitReady(context.Background(), 500*time.Millisecond, tt.noTileIndexOK)
			if (err == nil) != tt.ready || (s.Warning != "") != tt.warning {
				t.Errorf("err %v, warning %q", err, s.Warning)
			}
		})
	}
}

// startFake starts a stand-in for bin/incidentmap whose serve prints the
// address of a /readyz that says ready, and runs until SIGTERM, then exits
// with code.
func startFake(t *testing.T, code string) *Server {
	base := readyzServer(t, `{"tile_index":{"ready":true,"incidents":0}}`)
	bin := filepath.Join(t.TempDir(), "incidentmap")
	script := "#!/bin/sh\necho \"serving on " + base + "\"\ntrap 'exit " + code + "' TERM\nwhile :; do sleep 0.05; done\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := StartServer(context.Background(), ServerConfig{Prog: "test", Bin: bin, ReadyTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(); os.Remove(s.Log) })
	if s.Base != base || s.ReadyAfter <= 0 || !strings.Contains(s.Log, "test-serve-") {
		t.Errorf("base %q, ready after %s, log %s", s.Base, s.ReadyAfter, s.Log)
	}
	return s
}

func TestStartServerThenStop(t *testing.T) {
	s := startFake(t, "0")
	if s.Memory().RSS <= 0 {
		t.Errorf("no RSS for pid %d", s.Pid())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if !s.Wait(time.Second) || s.ExitedAt.IsZero() {
		t.Error("not exited after Stop")
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStopReportsTheExitStatus(t *testing.T) {
	if err := startFake(t, "3").Stop(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("Stop = %v, want exit status 3", err)
	}
}
