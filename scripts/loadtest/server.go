package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// server is `incidentmap serve` running as a subprocess.
type server struct {
	cmd        *exec.Cmd
	base       string // http://127.0.0.1:PORT
	readyAfter time.Duration
	log        string // where its output goes
	done       chan struct{}
	exitErr    error // set when done is closed
	exitedAt   time.Time
}

// startServer starts c.bin serve on a free loopback port and waits until
// /readyz reports the tile index ready.
func startServer(ctx context.Context, c config) (*server, error) {
	logFile, err := os.CreateTemp("", "loadtest-serve-*.log")
	if err != nil {
		return nil, err
	}
	s := &server{log: logFile.Name(), done: make(chan struct{})}
	s.cmd = exec.Command(c.bin, "serve", "--addr", "127.0.0.1:0")
	s.cmd.Env = append(os.Environ(), "DATABASE_URL="+c.db)
	s.cmd.Stderr = logFile
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.bin, err)
	}
	go func() {
		s.exitErr = s.cmd.Wait()
		s.exitedAt = time.Now()
		logFile.Close()
		close(s.done)
	}()
	lines := bufio.NewReader(out)
	line, err := lines.ReadString('\n')
	if !strings.HasPrefix(line, "serving on http://") {
		s.stop()
		return nil, fmt.Errorf("%s serve did not start (%v; log in %s): %q", c.bin, err, s.log, line)
	}
	go io.Copy(io.Discard, lines)
	s.base = strings.TrimSpace(strings.TrimPrefix(line, "serving on "))
	logf("server pid %d on %s (log %s); waiting for /readyz", s.cmd.Process.Pid, s.base, s.log)
	if err := s.waitReady(ctx, c.readyTimeout); err != nil {
		s.stop()
		return nil, err
	}
	s.readyAfter = time.Since(start)
	logf("ready after %s", s.readyAfter.Round(100*time.Millisecond))
	return s, nil
}

// waitReady polls /readyz until it answers 200 with tile_index.ready.
func (s *server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited before it was ready (%v); log in %s", s.exitErr, s.log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		ready, incidents, status := s.readyz(ctx)
		if status == http.StatusOK && ready {
			logf("tile index ready with %d incidents", incidents)
			return nil
		}
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			logf("  not ready yet: HTTP %d, tile index holds %d incidents", status, incidents)
		}
	}
	return fmt.Errorf("server not ready after %s; log in %s", timeout, s.log)
}

// readyz reads /readyz: {"status": ..., "tile_index": {"ready": ..., "incidents": ...}}.
func (s *server) readyz(ctx context.Context) (ready bool, incidents, status int) {
	var r struct {
		TileIndex struct {
			Ready     bool `json:"ready"`
			Incidents int  `json:"incidents"`
		} `json:"tile_index"`
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
	if err != nil {
		return false, 0, 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, 0, 0
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&r)
	return r.TileIndex.Ready, r.TileIndex.Incidents, resp.StatusCode
}

// terminate sends SIGTERM and returns when it was sent.
func (s *server) terminate() (time.Time, error) {
	at := time.Now()
	return at, s.cmd.Process.Signal(syscall.SIGTERM)
}

// wait waits up to d for the server to exit; false when it is still running.
func (s *server) wait(d time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		return false
	}
}

// stop sends SIGTERM and waits up to 30 s, then kills. It may be called
// more than once.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if !s.wait(30 * time.Second) {
		logf("server did not stop within 30 s of SIGTERM: killing it")
		s.cmd.Process.Kill()
		<-s.done
	}
}
