package tiles

import (
	"container/list"
	"sync"

	"github.com/paulmach/orb/maptile"
)

// cache keeps built tiles, least recently used first out, within a byte
// budget that counts the gzipped copy of each tile and, once a client asked
// for it, its identity (uncompressed) copy. Invalidation is by generation: every applied change gets a new
// generation number and marks the tiles it touched (or everything) as dirty
// from that generation on; an entry built from an older generation of a
// dirty tile is a miss. Nothing has to enumerate the filter variants of a
// tile to drop them; stale entries simply age out.
type cache struct {
	mu        sync.Mutex
	budget    int
	used      int
	order     *list.List // of *entry, most recent at the front
	entries   map[string]*list.Element
	dirty     map[maptile.Tile]uint64
	allBefore uint64 // entries of older generations are stale everywhere
}

// entry is one built tile.
type entry struct {
	key  string
	tile maptile.Tile
	gen  uint64
	data Tile
}

// maxDirty bounds the dirty map; past it, one global invalidation replaces it.
const maxDirty = 1 << 20

func newCache(budget int) *cache {
	return &cache{budget: budget, order: list.New(), entries: map[string]*list.Element{}, dirty: map[maptile.Tile]uint64{}}
}

func (c *cache) get(key string, t maptile.Tile) (Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return Tile{}, false
	}
	e := el.Value.(*entry)
	if e.gen < c.allBefore || e.gen < c.dirty[t] {
		c.remove(el)
		return Tile{}, false
	}
	c.order.MoveToFront(el)
	return e.data, true
}

func (c *cache) put(key string, t maptile.Tile, gen uint64, data Tile) {
	size := entrySize(key, data)
	if size > c.budget/8 {
		return // one tile never takes an eighth of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.order.PushFront(&entry{key: key, tile: t, gen: gen, data: data})
	c.used += size
	for c.used > c.budget {
		c.remove(c.order.Back())
	}
}

// addIdentity keeps raw, the identity copy of the tile cached under key,
// beside its gzipped copy, if that entry is still the tile whose entity tag
// is etag and the budget allows it.
func (c *cache) addIdentity(key, etag string, raw []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return
	}
	e := el.Value.(*entry)
	if e.data.ETag != etag || e.data.Identity != nil || entrySize(key, e.data)+len(raw) > c.budget/8 {
		return
	}
	e.data.Identity = raw
	c.used += len(raw)
	for c.used > c.budget && c.order.Back() != el {
		c.remove(c.order.Back())
	}
}

func (c *cache) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry)
	delete(c.entries, e.key)
	c.used -= entrySize(e.key, e.data)
}

// entrySize is what an entry counts against the budget: its copies, its key
// and about what the bookkeeping takes.
func entrySize(key string, data Tile) int {
	return len(data.Gzip) + len(data.Identity) + len(key) + 128
}

// invalidate marks tiles dirty from generation gen on.
func (c *cache) invalidate(gen uint64, tiles map[maptile.Tile]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.dirty)+len(tiles) > maxDirty {
		c.allBefore, c.dirty = gen, map[maptile.Tile]uint64{}
		return
	}
	for t := range tiles {
		c.dirty[t] = gen
	}
}

// invalidateAll makes every entry older than gen stale.
func (c *cache) invalidateAll(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.allBefore, c.dirty = gen, map[maptile.Tile]uint64{}
}

// stats returns the number of entries and bytes used.
func (c *cache) stats() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.used
}
