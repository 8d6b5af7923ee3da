package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"incidentmap/scripts/harness"
)

// loadResult is one closed-loop load.
type loadResult struct {
	requests, errors int64
	bytes            int64
	elapsed          time.Duration
	p50, p99         time.Duration
	firstErr         string
}

func (l loadResult) perSecond() float64 { return float64(l.requests) / l.elapsed.Seconds() }

// runWarm loads c.warmTiles of the cold tiles (fetched once more first, so
// they are warm), then the bare handler, each for c.loadFor with c.conns
// connections.
func runWarm(ctx context.Context, c config, base string, cold []coldResult) (warm, bare loadResult, err error) {
	r := rand.New(rand.NewPCG(c.seed, 0x3a7))
	var paths []string
	for _, i := range r.Perm(len(cold)) {
		if cold[i].ok() && len(paths) < c.warmTiles {
			paths = append(paths, base+cold[i].path())
		}
	}
	if len(paths) == 0 {
		return warm, bare, fmt.Errorf("warm: no tile answered 200 in (a)")
	}
	warm = load(ctx, c, paths)
	addr, stop, err := startBare(ctx)
	if err != nil {
		return warm, bare, err
	}
	defer stop()
	bare = load(ctx, c, []string{"http://" + addr + "/blob"})
	return warm, bare, nil
}

// load fetches each url once, then runs c.conns workers that request the
// urls in turn, each waiting for its answer, for c.loadFor.
func load(ctx context.Context, c config, urls []string) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: c.conns, MaxConnsPerHost: c.conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	for _, u := range urls {
		get(ctx, client, u)
	}
	var res loadResult
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	lctx, cancel := context.WithTimeout(ctx, c.loadFor)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range c.conns {
		wg.Go(func() {
			var mine []time.Duration
			for lctx.Err() == nil {
				t0 := time.Now()
				n, err := get(lctx, client, urls[int(next.Add(1))%len(urls)])
				if lctx.Err() != nil {
					break // cut by the end of the run: not counted
				}
				mu.Lock()
				if err != nil {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = err.Error()
					}
				} else {
					res.requests++
					res.bytes += n
				}
				mu.Unlock()
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(lat)
	res.p50, res.p99 = harness.Percentile(lat, 50), harness.Percentile(lat, 99)
	return res
}

// get fetches u, asking for gzip, and returns the body's size.
func get(ctx context.Context, client *http.Client, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return n, err
}

// bareSize is the size of the blob the bare handler serves.
const bareSize = 30 << 10

// serveBare serves a 30 KB random blob from memory on addr, with net/http
// and nothing else, until SIGTERM. It prints "listening on ADDR" first.
func serveBare(addr string) error {
	blob := make([]byte, bareSize)
	for i := range blob {
		blob[i] = byte(rand.Uint32())
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(blob)
	})}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
		<-ch
		srv.Close()
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// startBare runs this program with -bare on a free loopback port, as a
// process of its own like the real server, and returns its address.
func startBare(ctx context.Context) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-bare", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("bare handler did not start: %w", err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), stop, nil
}
