package tiles

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"incidentmap/geo"
)

// The index saved in a file, so that a restart reads it back in about a
// second instead of reading every incident from PostGIS. Every number is
// little-endian:
//
//	magic "incidentmap tile index\n", version uint32, layout [32]byte
//	seq int64, origin (uint32 length, bytes)
//	incidents, text bytes, publisher lists, shapes: uint64 each
//	columns, one after the other: x, y uint32; start, end int64; best int32;
//	  attrs (event type, sub-type, precision uint8, country uint16);
//	  publisher list uint32; 3 text offsets uint32; then the text arena
//	publisher lists: uint32 count, then each name (uint32 length, bytes)
//	shapes: uint32 position, uint32 length, WKB
//	CRC-32C of everything before it, uint32
//
// The Morton codes are not saved: they are computed again from x and y,
// which also shows that the file is sorted.
const (
	fileMagic   = "incidentmap tile index\n"
	fileVersion = 1
	// perIncident is the bytes of the columns of one incident.
	perIncident = 4 + 4 + 8 + 8 + 4 + 5 + 4 + 3*4
	maxOrigin   = 4096
)

// layoutPrint is a hash of what the columns' codes mean (the positions
// in the lists of event types, sub-types and precisions, the lengths text
// is cut at): a file written by a binary whose lists differ is refused,
// as if its version differed.
var layoutPrint = func() [32]byte {
	h := sha256.New()
	for _, list := range [][]string{eventTypeList, subTypeList, geo.GeoPrecisions} {
		_, _ = fmt.Fprintf(h, "%q\n", list) // a hash never fails a write
	}
	_, _ = fmt.Fprintf(h, "%d %d\n", maxTitle, maxLocation)
	return [32]byte(h.Sum(nil))
}()

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errNotIndex is wrapped by every refusal of readIndex.
var errNotIndex = errors.New("not a usable tile index file")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errNotIndex, fmt.Sprintf(format, args...))
}

// writeIndex writes ix, the change seq it holds and the origin of that
// seq (Source.Origin) to w in the format above. It stops with ctx's error
// when ctx ends.
func writeIndex(ctx context.Context, w io.Writer, ix *index, seq int64, origin string) error {
	crc := crc32.New(castagnoli)
	e := &encoder{ctx: ctx, w: io.MultiWriter(w, crc), buf: make([]byte, 256<<10)}
	e.bytes([]byte(fileMagic))
	e.u32(fileVersion)
	e.bytes(layoutPrint[:])
	e.u64(uint64(seq))
	e.str(origin)
	for _, n := range []int{ix.len(), len(ix.text), len(ix.sets), len(ix.shapes)} {
		e.u64(uint64(n))
	}
	putColumn(e, ix.x, 4, func(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) })
	putColumn(e, ix.y, 4, func(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) })
	putColumn(e, ix.start, 8, func(b []byte, v int64) { binary.LittleEndian.PutUint64(b, uint64(v)) })
	putColumn(e, ix.end, 8, func(b []byte, v int64) { binary.LittleEndian.PutUint64(b, uint64(v)) })
	putColumn(e, ix.best, 4, func(b []byte, v int32) { binary.LittleEndian.PutUint32(b, uint32(v)) })
	putColumn(e, ix.attrs, 5, func(b []byte, a attrs) {
		b[0], b[1], b[2] = a.eventType, a.subType, a.precision
		binary.LittleEndian.PutUint16(b[3:], a.country)
	})
	putColumn(e, ix.pubs, 4, func(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) })
	putColumn(e, ix.offs, 4, func(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) })
	e.bytes(ix.text)
	for _, set := range ix.sets {
		e.u32(uint32(len(set)))
		for _, name := range set {
			e.str(name)
		}
	}
	keys := make([]int32, 0, len(ix.shapes))
	for k := range ix.shapes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		raw, err := wkb.Marshal(ix.shapes[k])
		if err != nil {
			return fmt.Errorf("shape of incident %d: %w", k, err)
		}
		e.u32(uint32(k))
		e.u32(uint32(len(raw)))
		e.bytes(raw)
	}
	if e.err != nil {
		return e.err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

// encoder writes to w until the first error, which it keeps.
type encoder struct {
	ctx context.Context
	w   io.Writer
	buf []byte
	err error
}

func (e *encoder) bytes(b []byte) {
	for e.err == nil && len(b) > 0 {
		if e.err = e.ctx.Err(); e.err != nil {
			return
		}
		k := min(len(b), 1<<20)
		_, e.err = e.w.Write(b[:k])
		b = b[k:]
	}
}

func (e *encoder) u32(v uint32) { e.bytes(binary.LittleEndian.AppendUint32(nil, v)) }
func (e *encoder) u64(v uint64) { e.bytes(binary.LittleEndian.AppendUint64(nil, v)) }

func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.bytes([]byte(s))
}

// putColumn writes col, size bytes an element, a buffer at a time.
func putColumn[T any](e *encoder, col []T, size int, put func([]byte, T)) {
	per := len(e.buf) / size
	for len(col) > 0 && e.err == nil {
		k := min(len(col), per)
		b := e.buf[:k*size]
		for i, v := range col[:k] {
			put(b[i*size:], v)
		}
		e.bytes(b)
		col = col[k:]
	}
}

// savedIndex is what a file holds.
type savedIndex struct {
	ix     *index
	seq    int64
	origin string
}

// readIndex reads an index written by writeIndex from r, which holds size
// bytes. accept, when not nil, is asked about the header's seq and origin
// before anything large is read, and its error stops the reading. Whatever
// the bytes, it allocates no more than about size plus
// the Morton codes, and returns either an index every method can use
// safely or an error wrapping errNotIndex that says why the file was
// refused (another version, a wrong checksum, a truncated or inconsistent
// file).
func readIndex(r io.Reader, size int64, accept func(seq int64, origin string) error) (*savedIndex, error) {
	crc := crc32.New(castagnoli)
	bufSize := int(min(max(size, 64), 1<<20)) // small files get small buffers
	d := &decoder{r: bufio.NewReaderSize(r, bufSize), crc: crc, left: size - 4, buf: make([]byte, max(bufSize/4, 64))}
	if magic := d.take(len(fileMagic)); string(magic) != fileMagic {
		return nil, refuse("no tile index header")
	}
	if v := d.u32(); v != fileVersion {
		return nil, refuse("format version %d, this binary reads %d", v, fileVersion)
	}
	if !bytes.Equal(d.take(32), layoutPrint[:]) {
		return nil, refuse("written by a binary whose attribute lists differ")
	}
	saved := &savedIndex{seq: int64(d.u64())}
	saved.origin = d.str(maxOrigin)
	n, textLen, nSets, nShapes := d.u64(), d.u64(), d.u64(), d.u64()
	if d.err != nil {
		return nil, d.err
	}
	if accept != nil {
		if err := accept(saved.seq, saved.origin); err != nil {
			return nil, err
		}
	}
	if n > math.MaxInt32 || textLen > math.MaxUint32 || n > uint64(d.left)/perIncident ||
		textLen > uint64(d.left)-n*perIncident || nSets > uint64(d.left)/4 || nShapes > n {
		return nil, refuse("sizes (%d incidents, %d bytes of text) larger than the file", n, textLen)
	}
	ix := &index{}
	ix.x = getColumn(d, int(n), 4, binary.LittleEndian.Uint32)
	ix.y = getColumn(d, int(n), 4, binary.LittleEndian.Uint32)
	ix.start = getColumn(d, int(n), 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
	ix.end = getColumn(d, int(n), 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
	ix.best = getColumn(d, int(n), 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
	ix.attrs = getColumn(d, int(n), 5, func(b []byte) attrs {
		return attrs{eventType: b[0], subType: b[1], precision: b[2], country: binary.LittleEndian.Uint16(b[3:])}
	})
	ix.pubs = getColumn(d, int(n), 4, binary.LittleEndian.Uint32)
	ix.offs = getColumn(d, 3*int(n), 4, binary.LittleEndian.Uint32)
	ix.text = make([]byte, textLen)
	d.full(ix.text)
	ix.sets = make([][]string, 0, nSets)
	for range nSets {
		ix.sets = append(ix.sets, d.set())
	}
	ix.shapes = d.shapes(int(nShapes), int(n))
	if d.err != nil {
		return nil, d.err
	}
	var sum [4]byte
	if _, err := io.ReadFull(d.r, sum[:]); err != nil {
		return nil, refuse("truncated before its checksum")
	}
	if binary.LittleEndian.Uint32(sum[:]) != crc.Sum32() {
		return nil, refuse("checksum mismatch: the file is damaged")
	}
	if _, err := d.r.ReadByte(); err != io.EOF {
		return nil, refuse("bytes after the checksum")
	}
	if err := ix.check(); err != nil {
		return nil, err
	}
	saved.ix = withPyramid(ix) // not saved: summing it up again is quick
	return saved, nil
}

// decoder reads from r, feeding crc, until the first error, which it keeps;
// left is what remains of the file before its checksum.
type decoder struct {
	r    *bufio.Reader
	crc  hash.Hash32
	left int64
	buf  []byte
	err  error
}

// full fills b, or records why it could not.
func (d *decoder) full(b []byte) bool {
	if d.err != nil {
		return false
	}
	if int64(len(b)) > d.left {
		d.err = refuse("truncated")
		return false
	}
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = refuse("truncated (%v)", err)
		return false
	}
	d.crc.Write(b)
	d.left -= int64(len(b))
	return true
}

// take reads n bytes into the scratch buffer (n at most its size).
func (d *decoder) take(n int) []byte {
	b := d.buf[:n]
	if !d.full(b) {
		clear(b)
	}
	return b
}

func (d *decoder) u32() uint32 { return binary.LittleEndian.Uint32(d.take(4)) }
func (d *decoder) u64() uint64 { return binary.LittleEndian.Uint64(d.take(8)) }

// str reads a string of at most limit bytes.
func (d *decoder) str(limit int) string {
	n := d.u32()
	if d.err == nil && (int64(n) > d.left || int(n) > limit) {
		d.err = refuse("a string of %d bytes", n)
	}
	if d.err != nil {
		return ""
	}
	b := make([]byte, n)
	d.full(b)
	return string(b)
}

// set reads one list of publishers.
func (d *decoder) set() []string {
	n := d.u32()
	if d.err == nil && int64(n) > d.left/4 {
		d.err = refuse("a list of %d publishers", n)
	}
	if d.err != nil || n == 0 {
		return nil
	}
	set := make([]string, 0, n)
	for range n {
		set = append(set, d.str(math.MaxInt32))
	}
	return set
}

// shapes reads the lines and areas of incidents, at positions below n.
func (d *decoder) shapes(count, n int) map[int32]orb.Geometry {
	if count == 0 {
		return nil
	}
	shapes := make(map[int32]orb.Geometry, min(count, 1<<16))
	last := int64(-1)
	for range count {
		k, size := d.u32(), d.u32()
		if d.err != nil {
			return nil
		}
		if int64(k) <= last || int(k) >= n || int64(size) > d.left {
			d.err = refuse("shape of incident %d out of order or of %d bytes", k, size)
			return nil
		}
		last = int64(k)
		raw := make([]byte, size)
		if !d.full(raw) {
			return nil
		}
		g, err := wkb.Unmarshal(raw)
		if err != nil || g == nil || g.GeoJSONType() == "Point" || !lonLatOnly(g) {
			d.err = refuse("shape of incident %d is not a line or area in lon/lat (%v)", k, err)
			return nil
		}
		shapes[int32(k)] = g
	}
	return shapes
}

// getColumn reads n elements of size bytes, a buffer at a time.
func getColumn[T any](d *decoder, n, size int, get func([]byte) T) []T {
	if d.err != nil {
		return nil
	}
	col := make([]T, n)
	per := len(d.buf) / size
	for i := 0; i < n; i += per {
		k := min(n-i, per)
		b := d.buf[:k*size]
		if !d.full(b) {
			return nil
		}
		for j := range k {
			col[i+j] = get(b[j*size:])
		}
	}
	return col
}
