package harness

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
	"time"
)

// ServerConfig says how to start the server and when it is ready.
type ServerConfig struct {
	Prog         Program // logs the server's progress; names its log file PROG-serve-*.log
	Bin, DB      string  // the incidentmap binary, and the DATABASE_URL it gets
	ReadyTimeout time.Duration
	// NoTileIndexOK makes a /readyz that answers 200 without a tile_index
	// field count as ready (Server.Warning says so). Otherwise only
	// tile_index.ready counts.
	NoTileIndexOK bool
	Env           []string // more KEY=VALUE settings of its environment
}

// Server is `incidentmap serve` running as a subprocess.
type Server struct {
	Base       string // http://127.0.0.1:PORT
	ReadyAfter time.Duration
	Warning    string // why readiness could not be checked fully
	Log        string // the file its stdout and stderr go to
	ExitErr    error  // how it exited; set once Wait returned true
	ExitedAt   time.Time
	prog       Program
	cmd        *exec.Cmd
	done       chan struct{} // closed when it has exited
}

// StartServer starts c.Bin serve on a free loopback port with DATABASE_URL
// set to c.DB, and waits until /readyz says its tile index is ready. On
// failure it stops the server again.
func StartServer(ctx context.Context, c ServerConfig) (*Server, error) {
	logFile, err := os.CreateTemp("", string(c.Prog)+"-serve-*.log")
	if err != nil {
		return nil, err
	}
	s := &Server{Log: logFile.Name(), prog: c.Prog, done: make(chan struct{})}
	s.cmd = exec.Command(c.Bin, "serve", "--addr", "127.0.0.1:0")
	s.cmd.Env = append(append(os.Environ(), "DATABASE_URL="+c.DB), c.Env...)
	s.cmd.Stderr = logFile
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Bin, err)
	}
	go func() {
		s.ExitErr = s.cmd.Wait()
		s.ExitedAt = time.Now()
		_ = logFile.Close() // the log is read from its name; a lost tail is no reason to fail
		close(s.done)
	}()
	lines := bufio.NewReader(out)
	line, err := lines.ReadString('\n')
	if !strings.HasPrefix(line, "serving on http://") {
		s.Stop()
		return nil, fmt.Errorf("%s serve did not start (%v; log in %s): %q", c.Bin, err, s.Log, line) //nolint:errorlint // err may be nil (a wrong first line): printed, not wrapped
	}
	go func() { _, _ = io.Copy(logFile, lines) }() // until the server exits; the log is best effort
	s.Base = strings.TrimSpace(strings.TrimPrefix(line, "serving on "))
	s.prog.Logf("server pid %d on %s (log %s); waiting for /readyz", s.Pid(), s.Base, s.Log)
	if err := s.waitReady(ctx, c.ReadyTimeout, c.NoTileIndexOK); err != nil {
		s.Stop()
		return nil, err
	}
	s.ReadyAfter = time.Since(start)
	s.prog.Logf("ready after %s", s.ReadyAfter.Round(100*time.Millisecond))
	return s, nil
}

// readyz is the part of /readyz the programs read.
type readyz struct {
	TileIndex *struct {
		Ready     bool `json:"ready"`
		Incidents int  `json:"incidents"`
	} `json:"tile_index"`
}

// waitReady polls /readyz every 200 ms until it answers 200 with
// tile_index.ready (or, when noTileIndexOK, 200 without tile_index: then
// with a warning), the server exits, ctx ends or timeout passes. It logs
// progress every 10 s.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration, noTileIndexOK bool) error {
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited before it was ready (%v); log in %s", s.ExitErr, s.Log) //nolint:errorlint // ExitErr is nil after a clean exit: printed, not wrapped
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		r, status := s.readyz(ctx)
		switch {
		case status == http.StatusOK && r.TileIndex == nil && noTileIndexOK:
			s.Warning = "/readyz has no tile_index field: waited for 200 only"
			s.prog.Logf("warning: %s", s.Warning)
			return nil
		case status == http.StatusOK && r.TileIndex != nil && r.TileIndex.Ready:
			s.prog.Logf("tile index ready with %d incidents", r.TileIndex.Incidents)
			return nil
		}
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			if r.TileIndex != nil {
				s.prog.Logf("  not ready yet: HTTP %d, tile index holds %d incidents", status, r.TileIndex.Incidents)
			} else {
				s.prog.Logf("  not ready yet: HTTP %d", status)
			}
		}
	}
	return fmt.Errorf("server not ready after %s; log in %s", timeout, s.Log)
}

// readyz asks /readyz once: its body (empty when it did not parse) and
// status (0 when no answer came).
func (s *Server) readyz(ctx context.Context) (readyz, int) {
	var r readyz
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+"/readyz", nil)
	if err != nil {
		return r, 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return r, 0
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&r) // a body that is not JSON leaves r not ready
	return r, resp.StatusCode
}
