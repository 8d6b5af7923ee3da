package publish

import (
	"errors"
	"fmt"
	"os"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// ReadTiles reads a PMTiles archive back with go-pmtiles: its header and
// every tile it addresses, by tile id (run lengths expanded). It checks a
// published folder (the tests use it); it fails on a file that is not a
// PMTiles v3 archive or whose directories point past its end.
func ReadTiles(path string) (pmtiles.HeaderV3, map[uint64][]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return pmtiles.HeaderV3{}, nil, err
	}
	if len(raw) < pmtiles.HeaderV3LenBytes {
		return pmtiles.HeaderV3{}, nil, fmt.Errorf("%s: shorter than a PMTiles header", path)
	}
	h, err := pmtiles.DeserializeHeader(raw[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		return h, nil, fmt.Errorf("%s: %w", path, err)
	}
	size := uint64(len(raw))
	tiles := map[uint64][]byte{}
	bad := false
	err = pmtiles.IterateEntries(h, func(offset, length uint64) ([]byte, error) {
		if offset+length > size {
			return nil, errors.New("a directory past the end of the file")
		}
		return raw[offset : offset+length], nil
	}, func(e pmtiles.EntryV3) {
		start := h.TileDataOffset + e.Offset
		if start+uint64(e.Length) > size {
			bad = true
			return
		}
		for i := range uint64(e.RunLength) {
			tiles[e.TileID+i] = raw[start : start+uint64(e.Length)]
		}
	})
	if err == nil && bad {
		err = errors.New("a tile past the end of the file")
	}
	if err != nil {
		return h, nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, tiles, nil
}
