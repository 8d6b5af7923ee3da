package export

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	flatbuffers "github.com/google/flatbuffers/go"
	"github.com/twpayne/go-geom"

	"incidentmap/geo"
)

// maxFlatGeobufSize bounds a FlatGeobuf export, and so its temporary file
// and the memory its index takes (48 bytes a feature of at least a few
// hundred bytes): 2 GiB holds about two million incidents with their
// claims and sources.
const maxFlatGeobufSize = 2 << 30

// fgbMagic opens every FlatGeobuf file (format version 3).
var fgbMagic = []byte{'f', 'g', 'b', 3, 'f', 'g', 'b', 0}

// WriteFlatGeobuf writes the incidents of each into w as a FlatGeobuf file
// with a packed Hilbert R-tree spatial index (fgbColumns lists its
// columns). The index, which precedes the features, needs every feature's
// box: the features are first written to a temporary file, keeping only
// 48 bytes of each in memory (box, place, size, Hilbert value), then
// copied to w in the index's order after the header and the index, so
// nothing is written to w until every incident is in. A file that would
// pass maxFlatGeobufSize fails with a *geo.Error (ETooLarge, naming f).
// It stops at the first error of each, of w, of the temporary file, or of
// ctx, and removes the temporary file in every case.
func WriteFlatGeobuf(ctx context.Context, w io.Writer, each Each, props Properties) error {
	return whileBuilding(func() error { return writeFlatGeobuf(ctx, w, each, props, maxFlatGeobufSize) })
}

func writeFlatGeobuf(ctx context.Context, w io.Writer, each Each, props Properties, limit int64) error {
	spool, err := newFGBSpool(newFGBLayout(props), limit)
	if err != nil {
		return err
	}
	defer spool.close()
	err = each(func(in *geo.Incident) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return spool.add(in)
	})
	if err != nil {
		return err
	}
	return spool.writeTo(ctx, w)
}

// fgbItem is one feature written to the temporary file.
type fgbItem struct {
	box     fgbNode // the feature's box; offset: where it starts in the temporary file
	size    uint32  // its size there (the same in the result), size prefix included
	hilbert uint32  // the position of its box's centre on the Hilbert curve
}

// fgbSpool is the temporary file of the features, and what the header and
// index need to know of them.
type fgbSpool struct {
	file    *os.File
	out     *bufio.Writer
	limit   int64  // of the whole file
	written uint64 // to the temporary file
	items   []fgbItem
	header  fgbHeader
	builder *flatbuffers.Builder
	props   []byte
	layout  fgbLayout
}

func newFGBSpool(layout fgbLayout, limit int64) (*fgbSpool, error) {
	f, err := os.CreateTemp("", "incidentmap-export-*.fgb")
	if err != nil {
		return nil, err
	}
	return &fgbSpool{file: f, out: bufio.NewWriterSize(f, 1<<16), limit: limit, builder: flatbuffers.NewBuilder(4096),
		header: fgbHeader{extent: emptyNode(0), columns: layout.columns}, layout: layout}, nil
}

// close removes the temporary file: nothing read from it is still to come,
// so a failure to close or remove it has nothing to report to the export
// (a file left behind is the operating system's to clean).
func (s *fgbSpool) close() {
	_ = s.file.Close()
	_ = os.Remove(s.file.Name())
}

// add writes the feature of in to the temporary file and notes its box.
func (s *fgbSpool) add(in *geo.Incident) error {
	g, err := toGeom(in.Geometry)
	if err != nil {
		return err
	}
	if s.props, err = fgbProperties(s.props[:0], in, &s.layout); err != nil {
		return err
	}
	feature, err := fgbFeatureTable(s.builder, g, s.props)
	if err != nil {
		return err
	}
	if s.sizeWith(len(feature)) > uint64(s.limit) {
		return &geo.Error{Code: geo.ETooLarge, Param: "f", Message: fmt.Sprintf(
			"the FlatGeobuf file of these incidents would pass its limit of %d MiB: narrow the filters "+
				"(datetime, bbox, country...) or export them with f=geojsonseq or f=csv, which stream", s.limit>>20)}
	}
	if _, err := s.out.Write(feature); err != nil {
		return err
	}
	bound := in.Geometry.Bound()
	box := fgbNode{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1], s.written}
	s.items = append(s.items, fgbItem{box: box, size: uint32(len(feature))})
	s.written += uint64(len(feature))
	s.header.extent.expand(box)
	s.noteType(g)
	return nil
}

// sizeWith is (a little over) the size of the file with one more feature of
// size bytes: the features, the index (a leaf each and, above them, at
// most one node for every 15 below) and the header.
func (s *fgbSpool) sizeWith(size int) uint64 {
	features := s.written + uint64(size)
	index := uint64(len(s.items)+1) * fgbNodeBytes * 16 / 15
	return features + index + fgbHeaderRoom
}

// fgbHeaderRoom is more than the header and the magic bytes take.
const fgbHeaderRoom = 1 << 12

// noteType keeps the header's geometry type: the features' one type, or
// Unknown when they have several (each feature then says its own).
func (s *fgbSpool) noteType(g geom.T) {
	t, _ := fgbGeometryType(g)
	switch {
	case s.header.count == 0:
		s.header.geometryType = t
	case s.header.geometryType != t:
		s.header.geometryType = fgbUnknown
	}
	s.header.count++
}

// writeTo writes the file to w: the magic bytes, the header, the index of
// the features in Hilbert order, then the features in that order, copied
// from the temporary file.
func (s *fgbSpool) writeTo(ctx context.Context, w io.Writer) error {
	if err := s.out.Flush(); err != nil {
		return err
	}
	for i := range s.items {
		s.items[i].hilbert = hilbertOf(s.items[i].box, s.header.extent)
	}
	// Descending, as the reference implementation sorts; stable, so that
	// the same incidents always give the same file.
	slices.SortStableFunc(s.items, func(a, b fgbItem) int { return cmp.Compare(b.hilbert, a.hilbert) })
	out := bufio.NewWriterSize(w, 1<<16)
	if _, err := out.Write(fgbMagic); err != nil {
		return err
	}
	if _, err := out.Write(fgbHeaderTable(s.header)); err != nil {
		return err
	}
	if len(s.items) > 0 {
		if err := writeFGBIndex(out, s.items); err != nil {
			return err
		}
	}
	if err := s.copyFeatures(ctx, out); err != nil {
		return err
	}
	return out.Flush()
}

// copyFeatures copies the features from the temporary file to w in the
// order of s.items.
func (s *fgbSpool) copyFeatures(ctx context.Context, w io.Writer) error {
	var buf []byte
	for i, it := range s.items {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		buf = slices.Grow(buf[:0], int(it.size))[:it.size]
		if _, err := s.file.ReadAt(buf, int64(it.box.offset)); err != nil {
			return err
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
