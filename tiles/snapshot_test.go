package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// Origin names the source by its address (two sources are two databases)
// and the newest change at or before seq.
func (m *memorySource) Origin(ctx context.Context, seq int64) (string, error) {
	n := min(seq, int64(len(m.changes)))
	if n < 1 {
		return "", nil
	}
	return fmt.Sprintf("memory %p at %d: change %d of %s", m, seq, n, m.changes[n-1]), nil
}

// countingSource counts the scans of every incident (EachSummary without
// a bound: full loads) and the tiles built from the database.
type countingSource struct {
	*memorySource
	fullScans, tileScans atomic.Int32
}

func (c *countingSource) EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error {
	if within == nil {
		c.fullScans.Add(1)
	} else {
		c.tileScans.Add(1)
	}
	return c.memorySource.EachSummary(ctx, f, within, fn)
}

// randomSource holds n random incidents (a tenth of them lines) and one
// change per incident.
func randomSource(r *rand.Rand, n int) *memorySource {
	src := &memorySource{}
	for i := range n {
		s := randomSummary(r, fmt.Sprintf("i-%d", i))
		src.summaries = append(src.summaries, s)
		src.changes = append(src.changes, s.ID)
	}
	return src
}

func savedBytes(t testing.TB, ix *index, seq int64, origin string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writeIndex(context.Background(), &buf, ix, seq, origin); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSavedIndexReadsBackEqual(t *testing.T) {
	src := randomSource(rand.New(rand.NewPCG(1, 2)), 5000)
	ix := loaded(t, src).snap.Load().ix
	if len(ix.shapes) == 0 || len(ix.sets) < 2 {
		t.Fatalf("the index should hold shapes and publishers: %d shapes, %d lists", len(ix.shapes), len(ix.sets))
	}
	raw := savedBytes(t, ix, 42, "here")
	saved, err := readIndex(bytes.NewReader(raw), int64(len(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.seq != 42 || saved.origin != "here" {
		t.Errorf("seq %d origin %q", saved.seq, saved.origin)
	}
	if !reflect.DeepEqual(saved.ix, ix) {
		t.Error("the index read back differs from the one written")
	}
}

// Every damage to a saved index is refused, never read as an index and
// never a panic: truncation anywhere, a changed byte anywhere, bytes
// after the end, another version.
func TestDamagedSavedIndexIsRefused(t *testing.T) {
	src := randomSource(rand.New(rand.NewPCG(3, 4)), 300)
	raw := savedBytes(t, loaded(t, src).snap.Load().ix, 7, "here")
	refused := func(what string, b []byte) {
		t.Helper()
		if _, err := readIndex(bytes.NewReader(b), int64(len(b)), nil); !errors.Is(err, errNotIndex) {
			t.Errorf("%s: err %v, want a refusal", what, err)
		}
	}
	for n := 0; n < len(raw); n += 1 + n/50 {
		refused(fmt.Sprintf("cut at %d of %d bytes", n, len(raw)), raw[:n])
	}
	for i := 0; i < len(raw); i += 1 + i/100 {
		b := bytes.Clone(raw)
		b[i] ^= 0x10
		refused(fmt.Sprintf("byte %d changed", i), b)
	}
	refused("a byte after the end", append(bytes.Clone(raw), 0))
	b := bytes.Clone(raw)
	b[len(fileMagic)]++
	refused("another version", b)
}

// An index saved by one service is read back by the next one on the same
// database, which then applies the writes made after it was saved: the
// result equals a fresh load, and no full load happens.
func TestServiceStartsFromItsSavedIndexAndRollsForward(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	src := randomSource(r, 2000)
	path := filepath.Join(t.TempDir(), "index")
	savedBy(t, src, path)
	// Writes after the save: one incident moved, one removed, one added.
	src.summaries[0] = randomSummary(r, "i-0")
	src.summaries = append(src.summaries[:1], src.summaries[2:]...)
	src.summaries = append(src.summaries, randomSummary(r, "new"))
	src.changes = append(src.changes, "i-0", "i-1", "new")

	next, fullLoads := startedFrom(t, src, path)
	if fullLoads != 0 {
		t.Errorf("%d full loads, want none", fullLoads)
	}
	got, want := next.snap.Load(), loaded(t, src).snap.Load()
	if got.seq != int64(len(src.changes)) {
		t.Errorf("at change %d, want %d", got.seq, len(src.changes))
	}
	if !reflect.DeepEqual(rows(got.ix), rows(want.ix)) {
		t.Error("the index read and rolled forward differs from a fresh load")
	}
}

// savedBy returns a service on src that has loaded its index and saved it
// to path, and the file it saved.
func savedBy(t *testing.T, src *memorySource, path string) (*Service, []byte) {
	t.Helper()
	s := New(src, Options{SnapshotPath: path})
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s, saved
}

// startedFrom returns a service on src that has started from the index
// saved at path, and how many full loads of src it made.
func startedFrom(t *testing.T, src *memorySource, path string) (*Service, int) {
	t.Helper()
	counting := &countingSource{memorySource: src}
	s := New(counting, Options{SnapshotPath: path})
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, int(counting.fullScans.Load())
}

// A saved index is refused, and the index loaded in full, when it comes
// from another database, when the change log no longer holds its change,
// or when the file is damaged.
func TestSavedIndexFromElsewhereIsRefused(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	saver := randomSource(r, 500)
	dir := t.TempDir()
	_, raw := savedBy(t, saver, filepath.Join(dir, "index"))
	restarted := func() *memorySource { // the same database, its log emptied and counted again from 1
		saver.changes = append(saver.changes[:0], "other-1", "other-2")
		return saver
	}
	for _, c := range []struct {
		name string
		src  func() *memorySource
		file []byte
	}{
		{"another database", func() *memorySource { return randomSource(r, 400) }, raw},
		{"a truncated file", func() *memorySource { return saver }, raw[:len(raw)/2]},
		{"an empty file", func() *memorySource { return saver }, nil},
		{"a change log that restarted", restarted, raw},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.src()
			p := filepath.Join(dir, c.name)
			if err := os.WriteFile(p, c.file, 0o600); err != nil {
				t.Fatal(err)
			}
			s, fullLoads := startedFrom(t, src, p)
			if fullLoads != 1 {
				t.Errorf("%d full loads, want 1", fullLoads)
			}
			if !reflect.DeepEqual(rows(s.snap.Load().ix), rows(loaded(t, src).snap.Load().ix)) {
				t.Error("the index differs from a fresh load")
			}
		})
	}
}

// gatedSource holds every full load until open is closed.
type gatedSource struct {
	countingSource
	open chan struct{}
}

func (g *gatedSource) EachSummary(ctx context.Context, f geo.Filter, within *orb.Bound, fn func(geo.Summary) error) error {
	if within == nil {
		select {
		case <-g.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.countingSource.EachSummary(ctx, f, within, fn)
}

// While the index loads, a tile waits for it a bounded time, then answers
// EUnavailable; it is never built from the database. Once loaded, it is
// built from the index.
func TestTilesWaitForTheIndexThenAnswerUnavailable(t *testing.T) {
	src := &gatedSource{countingSource: countingSource{memorySource: &memorySource{
		summaries: []geo.Summary{summary("moura", -4.5997, 14.3261, "2022-03-27")}}}, open: make(chan struct{})}
	s := New(src, Options{LoadWait: 30 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go s.Run(ctx)
	tile := maptile.At(orb.Point{-4.5997, 14.3261}, 3)
	_, _, err := s.Tile(ctx, tile, geo.Filter{}, true)
	if geo.ErrorCode(err) != geo.EUnavailable {
		t.Fatalf("tile while loading: %v, want EUnavailable", err)
	}
	if ready, _ := s.Status(); ready {
		t.Error("ready while loading")
	}
	if n := src.tileScans.Load(); n != 0 {
		t.Errorf("%d tiles built from the database while loading", n)
	}
	close(src.open)
	for ready, _ := s.Status(); !ready; ready, _ = s.Status() {
		time.Sleep(time.Millisecond)
	}
	if n := len(decode(t, s, tile, geo.Filter{})["incidents"].Features); n != 1 {
		t.Errorf("tile once loaded: %d features", n)
	}
}

// A save that cannot finish (here: its context ends) leaves the file it
// would have replaced as it was, and no temporary file.
func TestAnUnfinishedSaveLeavesTheOldFile(t *testing.T) {
	src := randomSource(rand.New(rand.NewPCG(11, 12)), 500)
	dir := t.TempDir()
	path := filepath.Join(dir, "index")
	s, before := savedBy(t, src, path)
	src.summaries = append(src.summaries, randomSummary(rand.New(rand.NewPCG(1, 1)), "new"))
	src.changes = append(src.changes, "new")
	if err := s.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := writeIndexFile(cancelled, path, s.snap.Load(), "here"); err == nil {
		t.Fatal("a cancelled save succeeded")
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the saved file changed (%v)", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the directory, want the index only", len(entries))
	}
}
