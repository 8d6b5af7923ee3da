package publish

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// archive collects the gzipped MVT tiles of one PMTiles v3 archive in
// memory, then writes it at once (header, root directory, metadata, leaf
// directories, tile data), as the specification lays it out. Identical
// tiles (the empty sea, the same places at every zoom) are stored once.
type archive struct {
	tiles  map[uint64][]byte // tile id -> gzipped MVT
	minZ   uint8
	maxZ   uint8
	bounds [4]float64 // west, south, east, north
	meta   map[string]any
}

func newArchive(bounds [4]float64, meta map[string]any) *archive {
	return &archive{tiles: map[uint64][]byte{}, minZ: math.MaxUint8, bounds: bounds, meta: meta}
}

func (a *archive) add(z uint8, x, y uint32, gzipped []byte) {
	a.tiles[pmtiles.ZxyToID(z, x, y)] = gzipped
	a.minZ, a.maxZ = min(a.minZ, z), max(a.maxZ, z)
}

// write writes the archive to path (a new file).
func (a *archive) write(path string) error {
	ids := make([]uint64, 0, len(a.tiles))
	for id := range a.tiles {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var data bytes.Buffer
	var entries []pmtiles.EntryV3
	seen := map[[32]byte]pmtiles.EntryV3{}
	for _, id := range ids {
		body := a.tiles[id]
		sum := sha256.Sum256(body)
		e, dup := seen[sum]
		if !dup {
			e = pmtiles.EntryV3{Offset: uint64(data.Len()), Length: uint32(len(body))}
			seen[sum] = e
			data.Write(body)
		}
		if n := len(entries); n > 0 && entries[n-1].Offset == e.Offset &&
			entries[n-1].TileID+uint64(entries[n-1].RunLength) == id {
			entries[n-1].RunLength++ // the same tile again, next in the curve
			continue
		}
		entries = append(entries, pmtiles.EntryV3{TileID: id, Offset: e.Offset, Length: e.Length, RunLength: 1})
	}
	root, leaves, _ := pmtiles.BuildDirectories(entries, 16384-pmtiles.HeaderV3LenBytes, pmtiles.Gzip)
	meta, err := pmtiles.SerializeMetadata(a.meta, pmtiles.Gzip)
	if err != nil {
		return fmt.Errorf("pmtiles metadata: %w", err)
	}
	if len(ids) == 0 {
		a.minZ = 0
	}
	h := pmtiles.HeaderV3{
		SpecVersion: 3, Clustered: true,
		InternalCompression: pmtiles.Gzip, TileCompression: pmtiles.Gzip, TileType: pmtiles.Mvt,
		RootOffset: pmtiles.HeaderV3LenBytes, RootLength: uint64(len(root)),
		AddressedTilesCount: uint64(len(ids)), TileEntriesCount: uint64(len(entries)), TileContentsCount: uint64(len(seen)),
		MinZoom: a.minZ, MaxZoom: a.maxZ, CenterZoom: a.minZ,
		MinLonE7: e7(a.bounds[0]), MinLatE7: e7(a.bounds[1]), MaxLonE7: e7(a.bounds[2]), MaxLatE7: e7(a.bounds[3]),
		CenterLonE7: e7((a.bounds[0] + a.bounds[2]) / 2), CenterLatE7: e7((a.bounds[1] + a.bounds[3]) / 2),
	}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.LeafDirectoryLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafDirectoryOffset + h.LeafDirectoryLength
	h.TileDataLength = uint64(data.Len())

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, part := range [][]byte{pmtiles.SerializeHeader(h), root, meta, leaves, data.Bytes()} {
		_, _ = w.Write(part) // the error stays in w and comes back from Flush
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }
