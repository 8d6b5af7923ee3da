package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// writeBodies saves the warm tiles for the bare handler.
func writeBodies(path string, tiles []warmTile) error {
	b, err := json.Marshal(tiles)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// serveBare serves the tiles saved in bodiesFile on addr, with net/http and
// nothing else, until SIGTERM: each path (as the request names it) answers
// its gzipped body to a request whose Accept-Encoding mentions gzip, else
// its identity body, with Content-Type and Content-Length (which the server
// sends too: without it net/http chunks bodies over 2 KB, in more writes).
// It prints "listening on ADDR" first.
func serveBare(addr, bodiesFile string) error {
	b, err := os.ReadFile(bodiesFile)
	if err != nil {
		return err
	}
	var tiles []warmTile
	if err := json.Unmarshal(b, &tiles); err != nil {
		return fmt.Errorf("%s: %w", bodiesFile, err)
	}
	bodies := make(map[string]warmTile, len(tiles))
	for _, t := range tiles {
		bodies[t.Path] = t
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := bodies[r.RequestURI]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body := t.Identity
		h := w.Header()
		h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = t.Gzip
		}
		h.Set("Content-Length", strconv.Itoa(len(body))) // as the server does: one piece, not chunks
		// A client gone mid-write has nothing to be told.
		_, _ = w.Write(body)
	})}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
		<-ch
		_ = srv.Close() // Serve then returns ErrServerClosed
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// bareProcess is the bare handler running as a process of its own.
type bareProcess struct {
	addr string
	pid  int
	stop func()
}

// startBare runs this program with -bare on a free loopback port, as a
// process of its own like the real server, serving the tiles of
// bodiesFile.
func startBare(ctx context.Context, bodiesFile string) (bareProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return bareProcess{}, err
	}
	cmd := exec.CommandContext(ctx, self, "-bare", "127.0.0.1:0", "-bare-bodies", bodiesFile)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return bareProcess{}, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return bareProcess{}, err
	}
	p := bareProcess{pid: cmd.Process.Pid, stop: func() {
		// Signal fails only when it has exited, and Wait's error says it was
		// signalled, as asked.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		p.stop()
		return p, fmt.Errorf("bare handler did not start: %w", err)
	}
	p.addr = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return p, nil
}
