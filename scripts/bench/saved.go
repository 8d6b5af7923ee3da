package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"incidentmap/scripts/harness"
)

// savedStart is a start of the server from its saved tile index.
type savedStart struct {
	ready    time.Duration
	memory   harness.Memory // at ready: VmHWM is the start's peak
	fileSize int64
}

// serverEnv is the environment the server gets beyond DATABASE_URL.
func serverEnv(c config) []string {
	if c.indexSnapshot == "" {
		return nil
	}
	return []string{"INCIDENTMAP_INDEX_SNAPSHOT=" + c.indexSnapshot}
}

// startFresh removes the saved index, if any, and starts the server: it
// loads its index from PostGIS.
func startFresh(ctx context.Context, c config) (*harness.Server, error) {
	if c.indexSnapshot != "" {
		if err := os.Remove(c.indexSnapshot); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return harness.StartServer(ctx, harness.ServerConfig{
		Prog: prog, Bin: c.Bin, DB: c.DB, ReadyTimeout: c.ReadyTimeout, NoTileIndexOK: true, Env: serverEnv(c)})
}

// waitSaved waits until the server has saved its index after the load
// (it does so in the background), so that the writing does not share the
// CPUs with the measurements.
func waitSaved(ctx context.Context, path string) error {
	if path == "" {
		return nil
	}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("the server saved no index at %s within 5 minutes", path)
}

// restartFromSaved starts the server again, now that it saved its index
// (after the load and at shutdown), and measures how soon it is ready and
// its peak memory then; nil without a saved index.
func restartFromSaved(ctx context.Context, c config) (*savedStart, error) {
	if c.indexSnapshot == "" {
		return nil, nil
	}
	info, err := os.Stat(c.indexSnapshot)
	if err != nil {
		return nil, err
	}
	logf("(e) a start from the saved index (%s)", harness.Size(info.Size()))
	srv, err := harness.StartServer(ctx, harness.ServerConfig{
		Prog: prog, Bin: c.Bin, DB: c.DB, ReadyTimeout: c.ReadyTimeout, Env: serverEnv(c)})
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	return &savedStart{ready: srv.ReadyAfter, memory: srv.Memory(), fileSize: info.Size()}, nil
}
