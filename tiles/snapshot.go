package tiles

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// savedState is where the index is saved (Options.SnapshotPath) and what
// the file holds: one writer at a time, and the change seq written last.
type savedState struct {
	path    string
	writing chan struct{} // a slot: held while the file is written
	seq     atomic.Int64  // the seq the file holds; -1: unknown
	tried   atomic.Int64  // the seq saveNow last tried to save; -1: none
}

func (sv *savedState) init(path string) {
	sv.path, sv.writing = path, make(chan struct{}, 1)
	sv.seq.Store(-1)
	sv.tried.Store(-1)
}

// loadSaved reads the index saved at Options.SnapshotPath and returns it
// rolled forward to the database's last change, or nil when there is no
// file or it cannot be used: another format, damaged, from another
// database, from a change log that no longer reaches its seq, or more
// than maxIncremental changes behind. Each refusal is logged; the caller
// loads the index from the database then.
func (s *Service) loadSaved(ctx context.Context) *snapshot {
	path := s.saved.path
	if path == "" {
		return nil
	}
	started := time.Now()
	saved, err := readIndexFile(path, func(seq int64, origin string) error {
		here, err := s.src.Origin(ctx, seq)
		if err != nil {
			return err
		}
		if here == "" || here != origin {
			return refuse("saved from %q; here that point is %q", origin, here)
		}
		last, err := s.src.LastChange(ctx)
		if err != nil {
			return err
		}
		if last < seq { // the database was restored to an earlier point
			return refuse("saved at change %d; the database's last change is %d", seq, last)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Info("tiles: no saved index: loading from the database", "path", path)
		return nil
	}
	if err != nil {
		s.log.Warn("tiles: saved index not used: loading from the database", "path", path, "err", err)
		debug.FreeOSMemory() // what was read of it is garbage as large as an index
		return nil
	}
	places, err := s.src.AllPlaces(ctx)
	if err != nil {
		s.log.Warn("tiles: saved index not used: loading from the database", "path", path, "err", err)
		return nil
	}
	sn := &snapshot{ix: saved.ix, places: places, seq: saved.seq, gen: 1}
	next, _, _, _, err := s.advance(ctx, sn)
	if err != nil {
		s.log.Warn("tiles: saved index not rolled forward: loading from the database", "path", path, "err", err)
		return nil
	}
	if next != nil {
		sn = next
	}
	s.saved.seq.Store(saved.seq)
	s.log.Info("tiles: index read from its saved file", "path", path, "incidents", sn.ix.len(),
		"saved_at_change", saved.seq, "rolled_forward_to", sn.seq, "took", time.Since(started).String())
	return sn
}

// saveEvery is how far (in change seq) the index may move past the saved
// file before Run saves it again, so that a start after a crash rolls
// forward from a recent file rather than loading in full.
const saveEvery = maxIncremental / 2

// saveNow saves the index when the file lags: after a full load, and when
// it is saveEvery changes behind. Run calls it between two refreshes, so
// that no change is applied meanwhile: an apply would make a second index
// while the save holds the first. Failures are logged.
// A failed save is tried again saveEvery changes later (and at shutdown).
func (s *Service) saveNow(ctx context.Context) {
	sn := s.snap.Load()
	if s.saved.path == "" || sn == nil {
		return
	}
	if last := max(s.saved.seq.Load(), s.saved.tried.Load()); last >= 0 && sn.seq-last < saveEvery {
		return
	}
	s.saved.tried.Store(sn.seq)
	if err := s.SaveIndex(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("tiles: save index", "path", s.saved.path, "err", err)
	}
}

// SaveIndex writes the loaded index to Options.SnapshotPath, atomically (a
// temporary file in the same directory, synced, renamed over the old one),
// unless no path is set, the index is not loaded, or the file holds it
// already. It waits for a save in progress first, and gives up when ctx
// ends (leaving the old file). The server calls it at shutdown.
func (s *Service) SaveIndex(ctx context.Context) error {
	sv := &s.saved
	if sv.path == "" || s.snap.Load() == nil {
		return nil
	}
	select {
	case sv.writing <- struct{}{}:
		defer func() { <-sv.writing }()
	case <-ctx.Done():
		return ctx.Err()
	}
	sn := s.snap.Load()
	if sv.seq.Load() == sn.seq {
		return nil
	}
	origin, err := s.src.Origin(ctx, sn.seq)
	if err != nil {
		return err
	}
	if origin == "" {
		s.log.Info("tiles: index not saved: no change is logged at or before its seq", "seq", sn.seq)
		return nil
	}
	started := time.Now()
	if err := writeIndexFile(ctx, sv.path, sn, origin); err != nil {
		return err
	}
	sv.seq.Store(sn.seq)
	s.log.Info("tiles: index saved", "path", sv.path, "incidents", sn.ix.len(), "seq", sn.seq,
		"took", time.Since(started).String())
	return nil
}

// writeIndexFile writes sn's index to path through a temporary file that
// replaces path only once complete and synced.
func writeIndexFile(ctx context.Context, path string, sn *snapshot, origin string) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close() // the error returned is the one that led here
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := writeIndex(ctx, w, sn.ix, sn.seq, origin); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		_ = d.Sync() // best effort: the file itself is synced
		_ = d.Close()
	}
	return nil
}

// readIndexFile reads the index saved at path; accept is asked about the
// seq and origin of the file's header before the rest is read.
func readIndexFile(path string, accept func(seq int64, origin string) error) (*savedIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // opened read-only: Close has nothing to report
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, refuse("%s is not a regular file", path)
	}
	saved, err := readIndex(f, info.Size(), accept)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return saved, nil
}
