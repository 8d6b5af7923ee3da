package harness

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before it kills.
const stopGrace = 30 * time.Second

// errKilled is what Stop returns when the server had to be killed.
var errKilled = errors.New("server did not stop within 30 s of SIGTERM: killed")

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Terminate sends SIGTERM and returns when it was sent.
func (s *Server) Terminate() (time.Time, error) {
	at := time.Now()
	return at, s.cmd.Process.Signal(syscall.SIGTERM)
}

// Wait waits up to d for the server to exit; false when it is still
// running. Once it returned true, ExitErr and ExitedAt are set.
func (s *Server) Wait(d time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		return false
	}
}

// Stop sends SIGTERM and waits up to 30 s, then logs and kills. It returns
// how the server exited (nil when it had exited before), or an error saying
// it was killed. It may be called more than once.
func (s *Server) Stop() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM) // fails only when it has exited: Wait tells
	if s.Wait(stopGrace) {
		return s.ExitErr
	}
	s.prog.Logf("server did not stop within 30 s of SIGTERM: killing it")
	_ = s.cmd.Process.Kill()
	<-s.done
	return errKilled
}

// Memory is a process's peak and current resident set, in bytes.
type Memory struct{ HWM, RSS int64 }

// Memory reads the server's VmHWM and VmRSS from /proc/PID/status; zero
// when it cannot.
func (s *Server) Memory() Memory {
	var m Memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Pid()))
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
			m.HWM = kb << 10
		} else {
			m.RSS = kb << 10
		}
	}
	return m
}
