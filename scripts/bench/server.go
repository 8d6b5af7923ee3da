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
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is `incidentmap serve` running as a subprocess.
type server struct {
	cmd        *exec.Cmd
	base       string // http://127.0.0.1:PORT
	readyAfter time.Duration
	warning    string // why readiness could not be checked fully
	done       chan error
	log        string // where its output goes
}

// startServer starts c.bin serve on a free loopback port with DATABASE_URL
// set, and waits until /readyz says its tile index is ready.
func startServer(ctx context.Context, c config) (*server, error) {
	logFile, err := os.CreateTemp("", "bench-serve-*.log")
	if err != nil {
		return nil, err
	}
	s := &server{log: logFile.Name(), done: make(chan error, 1)}
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
	go func() { s.done <- s.cmd.Wait(); logFile.Close() }()
	lines := bufio.NewReader(out)
	line, err := lines.ReadString('\n')
	if !strings.HasPrefix(line, "serving on http://") {
		s.stop()
		return nil, fmt.Errorf("%s serve did not start (%v; log in %s): %q", c.bin, err, s.log, line)
	}
	go io.Copy(logFile, lines)
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

// readyz is the part of /readyz the bench reads.
type readyz struct {
	Status    string `json:"status"`
	TileIndex *struct {
		Ready     bool `json:"ready"`
		Incidents int  `json:"incidents"`
	} `json:"tile_index"`
}

// waitReady polls /readyz until it answers 200 with tile_index.ready, or
// 200 without tile_index (then with a warning).
func (s *server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return fmt.Errorf("server exited before it was ready (%v); log in %s", err, s.log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		r, status := s.readyz(ctx)
		switch {
		case status == http.StatusOK && r.TileIndex == nil:
			s.warning = "/readyz has no tile_index field: waited for 200 only"
			logf("warning: %s", s.warning)
			return nil
		case status == http.StatusOK && r.TileIndex.Ready:
			return nil
		}
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			if r.TileIndex != nil {
				logf("  not ready yet: HTTP %d, tile index holds %d incidents", status, r.TileIndex.Incidents)
			} else {
				logf("  not ready yet: HTTP %d", status)
			}
		}
	}
	return fmt.Errorf("server not ready after %s; log in %s", timeout, s.log)
}

func (s *server) readyz(ctx context.Context) (readyz, int) {
	var r readyz
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
	if err != nil {
		return r, 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return r, 0
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&r)
	return r, resp.StatusCode
}

// memory is the server's peak and current resident set, from /proc.
type memory struct{ hwm, rss int64 } // bytes

func (s *server) memory() memory {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if k == "VmHWM" {
			m.hwm = kb << 10
		} else {
			m.rss = kb << 10
		}
	}
	return m
}

// stop sends SIGTERM and waits up to 30 s, then kills. It may be called
// more than once.
func (s *server) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		return fmt.Errorf("server did not stop within 30 s of SIGTERM: killed")
	}
}
