package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
)

// coldResult is one tile fetched from the server.
type coldResult struct {
	tileReq
	status    int
	latency   time.Duration // request sent to body read, client side
	wire, raw int           // bytes on the wire (gzipped) and uncompressed
	features  int           // in the incidents layer
	err       string
}

func (r coldResult) ok() bool { return r.err == "" && r.status == http.StatusOK }

// fetchCold requests every tile once, one at a time, asking for gzip, and
// records latency and sizes. Each (tile, window) is distinct, so none can be
// served from a cache of earlier requests.
func fetchCold(ctx context.Context, base string, plan []tileReq) []coldResult {
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	out := make([]coldResult, 0, len(plan))
	for i, t := range plan {
		if ctx.Err() != nil {
			break
		}
		out = append(out, fetchTile(ctx, client, base, t))
		if (i+1)%100 == 0 {
			logf("  %d/%d tiles", i+1, len(plan))
		}
	}
	return out
}

func fetchTile(ctx context.Context, client *http.Client, base string, t tileReq) coldResult {
	res := coldResult{tileReq: t}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+t.path(), nil)
	if err != nil {
		res.err = err.Error()
		return res
	}
	req.Header.Set("Accept-Encoding", "gzip")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.err = err.Error()
		return res
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	res.latency, res.status, res.wire = time.Since(start), resp.StatusCode, len(body)
	if err != nil {
		res.err = err.Error()
		return res
	}
	if resp.StatusCode != http.StatusOK {
		res.err = fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, body)
		return res
	}
	raw := body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if raw, err = gunzip(body); err != nil {
			res.err = "gunzip: " + err.Error()
			return res
		}
	}
	res.raw = len(raw)
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		res.err = "decode MVT: " + err.Error()
		return res
	}
	for _, l := range layers {
		if l.Name == "incidents" {
			res.features = len(l.Features)
		}
	}
	return res
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
