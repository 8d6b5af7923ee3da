package tiles

import "slices"

// updated returns the pyramid of next, an index made of old (whose pyramid
// p is) without its incidents dropped (positions in old, in order) and with
// the incidents of added: the cells the changes touch are made again, the
// others copied as they are. A touched cell of the deepest zoom
// is summed again from next; one above it takes the changes' counts and
// coordinates as differences, and the spans of its children. With no
// pyramid to start from, it builds next's.
func (p *pyramid) updated(next, old *index, dropped []int32, added *index) *pyramid {
	if p == nil {
		return buildPyramid(next)
	}
	if len(dropped) == 0 && added.len() == 0 {
		return p
	}
	q := &pyramid{}
	deep := pyramidMaxZoom
	touched := touchedKeys(old, dropped, added, deep)
	fresh := make([]pcell, 0, len(touched))
	for _, key := range touched {
		if c := sumNode(next, key, deep); c.n > 0 {
			fresh = append(fresh, c)
		}
	}
	q.levels[deep] = splice(p.levels[deep], touched, fresh)
	for z := deep - 1; z >= 0; z-- {
		diff := map[uint32]*pcell{}
		change := func(ix *index, i int, sign int32) {
			key := cellKey(ix.codes[i], z)
			d := diff[key]
			if d == nil {
				d = &pcell{key: key}
				diff[key] = d
			}
			d.n += sign
			d.sumX += int64(sign) * int64(ix.x[i]>>unitShift(z))
			d.sumY += int64(sign) * int64(ix.y[i]>>unitShift(z))
			d.addCounts(ix, i, sign)
		}
		for _, i := range dropped {
			change(old, int(i), -1)
		}
		for i := range added.len() {
			change(added, i, 1)
		}
		touched := make([]uint32, 0, len(diff))
		for key := range diff {
			touched = append(touched, key)
		}
		slices.Sort(touched)
		fresh := make([]pcell, 0, len(touched))
		for _, key := range touched {
			c := pcell{key: key}
			if k, ok := findCell(p.levels[z], key); ok {
				c = p.levels[z][k]
			}
			d := diff[key]
			c.n += d.n
			c.sumX, c.sumY, c.fatalities, c.coarse = c.sumX+d.sumX, c.sumY+d.sumY, c.fatalities+d.fatalities, c.coarse+d.coarse
			for k, n := range d.types {
				c.types[k] += n
			}
			if c.n > 0 {
				c.spansOf(q.levels[z+1])
				fresh = append(fresh, c)
			}
		}
		q.levels[z] = splice(p.levels[z], touched, fresh)
	}
	return q
}

// touchedKeys returns the keys, at zoom z, of the cells of the incidents
// dropped from old and of added's, in order, each once.
func touchedKeys(old *index, dropped []int32, added *index, z int) []uint32 {
	keys := make([]uint32, 0, len(dropped)+added.len())
	for _, i := range dropped {
		keys = append(keys, cellKey(old.codes[i], z))
	}
	for _, code := range added.codes {
		keys = append(keys, cellKey(code, z))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// sumNode sums up the incidents of ix in the cell key of zoom z.
func sumNode(ix *index, key uint32, z int) pcell {
	shift := uint(64 - 2*(z+gridBits))
	lo := uint64(key) << shift
	hi := lo + 1<<shift
	from, to := ix.search(lo, hi, hi == 0)
	c := pcell{key: key}
	for i := from; i < to; i++ {
		c.addIncident(ix, i, z)
	}
	return c
}

// spansOf sets c's spans of starts and ends from its children among
// cells, those of the zoom below.
func (c *pcell) spansOf(cells []pcell) {
	k, _ := slices.BinarySearchFunc(cells, c.key<<2, func(o pcell, key uint32) int { return cmpKey(o.key, key) })
	first := true
	for ; k < len(cells) && cells[k].key>>2 == c.key; k++ {
		o := &cells[k]
		if first {
			c.start, c.lastStart, c.end, c.firstEnd = o.start, o.lastStart, o.end, o.firstEnd
			first = false
		}
		c.start, c.lastStart = min(c.start, o.start), max(c.lastStart, o.lastStart)
		c.end, c.firstEnd = max(c.end, o.end), min(c.firstEnd, o.firstEnd)
	}
}

// findCell returns the position of the cell key in cells.
func findCell(cells []pcell, key uint32) (int, bool) {
	return slices.BinarySearchFunc(cells, key, func(o pcell, key uint32) int { return cmpKey(o.key, key) })
}

// splice returns cells without the cells touched (sorted keys) and with
// fresh (sorted, their keys among touched) in their place.
func splice(cells []pcell, touched []uint32, fresh []pcell) []pcell {
	out := make([]pcell, 0, len(cells)+len(fresh))
	t, f := 0, 0
	for k := range cells {
		key := cells[k].key
		for ; f < len(fresh) && fresh[f].key < key; f++ {
			out = append(out, fresh[f])
		}
		for t < len(touched) && touched[t] < key {
			t++
		}
		if t < len(touched) && touched[t] == key {
			continue
		}
		out = append(out, cells[k])
	}
	return append(out, fresh[f:]...)
}
