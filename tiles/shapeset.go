package tiles

import (
	"math/bits"

	"github.com/paulmach/orb"
)

// shapeSet holds which incidents of an index are lines or areas, and their
// bounds, in a form read without a map lookup.
type shapeSet struct {
	bits   []uint64    // bit i: incident i is a shape
	before []int32     // the number of shapes in the words before each word of bits
	bounds []orb.Bound // of each shape, in index order
}

// shapeBound returns the bounds of incident i when it is a line or an area.
// The set is built from ix.shapes at the first call (an index is not
// changed once built).
func (ix *index) shapeBound(i int) (orb.Bound, bool) {
	if len(ix.shapes) == 0 {
		return orb.Bound{}, false
	}
	s := ix.builtShapeSet()
	w, bit := i/64, uint64(1)<<(i%64)
	if s.bits[w]&bit == 0 {
		return orb.Bound{}, false
	}
	return s.bounds[int(s.before[w])+bits.OnesCount64(s.bits[w]&(bit-1))], true
}

// shapesIn lists the lines and areas among incidents [from, to) of ix, in
// index order.
func (ix *index) shapesIn(from, to int) []int {
	if len(ix.shapes) == 0 || from >= to {
		return nil
	}
	s := ix.builtShapeSet()
	var out []int
	for w := from / 64; w <= (to-1)/64; w++ {
		for b := s.bits[w]; b != 0; b &= b - 1 {
			if i := w*64 + bits.TrailingZeros64(b); i >= from && i < to {
				out = append(out, i)
			}
		}
	}
	return out
}

// builtShapeSet is ix.s shape set, built at the first call.
func (ix *index) builtShapeSet() *shapeSet {
	s, built := ix.shapeSet.Load().(*shapeSet)
	if !built {
		s = newShapeSet(ix)
		ix.shapeSet.Store(s)
	}
	return s
}

func newShapeSet(ix *index) *shapeSet {
	s := &shapeSet{bits: make([]uint64, (ix.len()+63)/64), bounds: make([]orb.Bound, len(ix.shapes))}
	for k := range ix.shapes {
		s.bits[k/64] |= 1 << (k % 64)
	}
	s.before = make([]int32, len(s.bits))
	n := int32(0)
	for w, b := range s.bits {
		s.before[w] = n
		n += int32(bits.OnesCount64(b))
	}
	for k, g := range ix.shapes {
		w := int(k) / 64
		s.bounds[int(s.before[w])+bits.OnesCount64(s.bits[w]&(1<<(k%64)-1))] = g.Bound()
	}
	return s
}
