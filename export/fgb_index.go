package export

import (
	"encoding/binary"
	"io"
	"math"
)

// fgbNodeSize is how many children a node of the packed R-tree has: the
// format's default, which GDAL writes too.
const fgbNodeSize = 16

// fgbHilbertMax is the largest coordinate of the Hilbert curve's grid.
const fgbHilbertMax = 1<<16 - 1

// fgbNodeBytes is the size of a node in the file: four float64 and a uint64.
const fgbNodeBytes = 40

// fgbNode is one node of the packed R-tree: a box and an offset. A leaf's
// offset is where its feature starts in the features section; a node above
// the leaves holds the index of its first child in the tree.
type fgbNode struct {
	minX, minY, maxX, maxY float64
	offset                 uint64
}

// emptyNode is a node with an empty box, ready to expand.
func emptyNode(offset uint64) fgbNode {
	return fgbNode{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1), offset}
}

// expand grows n's box to hold o's.
func (n *fgbNode) expand(o fgbNode) {
	n.minX, n.minY = min(n.minX, o.minX), min(n.minY, o.minY)
	n.maxX, n.maxY = max(n.maxX, o.maxX), max(n.maxY, o.maxY)
}

// appendTo appends n as the file stores it (little-endian).
func (n fgbNode) appendTo(b []byte) []byte {
	for _, v := range [4]float64{n.minX, n.minY, n.maxX, n.maxY} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return binary.LittleEndian.AppendUint64(b, n.offset)
}

// fgbLevel is the range [start, end) of one level's nodes in the tree.
type fgbLevel struct{ start, end uint64 }

// fgbLevels are the levels of a tree of n leaves, leaves first; the tree
// stores them the other way round, root first. As in the format's
// reference implementation, a tree always has a root above its leaves,
// even of one leaf.
func fgbLevels(n uint64) []fgbLevel {
	counts := []uint64{n}
	total := n
	for {
		n = (n + fgbNodeSize - 1) / fgbNodeSize
		counts = append(counts, n)
		total += n
		if n == 1 {
			break
		}
	}
	levels := make([]fgbLevel, len(counts))
	for i, c := range counts {
		total -= c
		levels[i] = fgbLevel{total, total + c}
	}
	return levels
}

// fgbUpperNodes are the nodes above the leaves, in the tree's order (root
// first): each holds the box of its (up to fgbNodeSize) children and the
// index of the first one.
func fgbUpperNodes(leaves []fgbItem) []fgbNode {
	levels := fgbLevels(uint64(len(leaves)))
	firstLeaf := levels[0].start
	upper := make([]fgbNode, firstLeaf)
	node := func(i uint64) fgbNode {
		if i >= firstLeaf {
			return leaves[i-firstLeaf].box
		}
		return upper[i]
	}
	for l := 0; l+1 < len(levels); l++ {
		parent := levels[l+1].start
		for pos := levels[l].start; pos < levels[l].end; parent++ {
			n := emptyNode(pos)
			for j := 0; j < fgbNodeSize && pos < levels[l].end; j++ {
				n.expand(node(pos))
				pos++
			}
			upper[parent] = n
		}
	}
	return upper
}

// writeFGBIndex writes the packed R-tree of items, which must be in their
// final (Hilbert) order: the nodes above the leaves, then one leaf per item
// with the offset its feature will have in the features section.
func writeFGBIndex(w io.Writer, items []fgbItem) error {
	var buf [fgbNodeBytes]byte
	for _, n := range fgbUpperNodes(items) {
		if _, err := w.Write(n.appendTo(buf[:0])); err != nil {
			return err
		}
	}
	var offset uint64
	for _, it := range items {
		leaf := it.box
		leaf.offset = offset
		offset += uint64(it.size)
		if _, err := w.Write(leaf.appendTo(buf[:0])); err != nil {
			return err
		}
	}
	return nil
}

// hilbertOf is the position of the centre of box on a Hilbert curve over
// extent's grid of fgbHilbertMax+1 cells a side.
func hilbertOf(box, extent fgbNode) uint32 {
	cell := func(lo, hi, from, to float64) uint32 {
		if to == from {
			return 0
		}
		return uint32(math.Floor(fgbHilbertMax * ((lo+hi)/2 - from) / (to - from)))
	}
	return hilbert(cell(box.minX, box.maxX, extent.minX, extent.maxX), cell(box.minY, box.maxY, extent.minY, extent.maxY))
}

// hilbert is the position of (x, y) (each below 2^16) on the Hilbert
// curve: the branch-free algorithm of rawrunprotected/hilbert_curves
// (public domain), as FlatGeobuf's reference implementation uses it.
func hilbert(x, y uint32) uint32 {
	a := x ^ y
	b := 0xFFFF ^ a
	c := 0xFFFF ^ (x | y)
	d := x & (y ^ 0xFFFF)

	A := a | (b >> 1)
	B := (a >> 1) ^ a
	C := ((c >> 1) ^ (b & (d >> 1))) ^ c
	D := ((a & (c >> 1)) ^ (d >> 1)) ^ d

	a, b, c, d = A, B, C, D
	A = (a & (a >> 2)) ^ (b & (b >> 2))
	B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2))
	C ^= (a & (c >> 2)) ^ (b & (d >> 2))
	D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2))

	a, b, c, d = A, B, C, D
	A = (a & (a >> 4)) ^ (b & (b >> 4))
	B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4))
	C ^= (a & (c >> 4)) ^ (b & (d >> 4))
	D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4))

	a, b, c, d = A, B, C, D
	C ^= (a & (c >> 8)) ^ (b & (d >> 8))
	D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8))

	a = C ^ (C >> 1)
	b = D ^ (D >> 1)

	i0 := x ^ y
	i1 := b | (0xFFFF ^ (i0 | a))
	return (interleave(i1) << 1) | interleave(i0)
}

// interleave spreads the low 16 bits of v over the even bits.
func interleave(v uint32) uint32 {
	v = (v | (v << 8)) & 0x00FF00FF
	v = (v | (v << 4)) & 0x0F0F0F0F
	v = (v | (v << 2)) & 0x33333333
	return (v | (v << 1)) & 0x55555555
}
