package export

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"incidentmap/internal/testenv"
)

func TestFlatGeobufSpatialFilterUsesTheIndex(t *testing.T) {
	list := synthIncidents(20000)
	path := writeFormat(t, "fgb", list)
	windows := []orb.Bound{
		{Min: orb.Point{-2, 12}, Max: orb.Point{0, 14}},          // around Ouagadougou and Ouahigouya
		{Min: orb.Point{-8.1, 12.5}, Max: orb.Point{-7.9, 12.7}}, // Bamako
		{Min: orb.Point{2, 13.4}, Max: orb.Point{2.2, 13.6}},     // Niamey
		{Min: orb.Point{30, 30}, Max: orb.Point{31, 31}},         // far from the Sahel
	}
	for _, w := range windows {
		got := idsInWindow(t, path, w)
		var want []string
		for _, in := range list {
			if w.Contains(in.Geometry.(orb.Point)) {
				want = append(want, in.ID)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("-spat %v: GDAL finds %d incidents, %d are there", w, len(got), len(want))
		}
		t.Logf("ogr2ogr -spat %v: %d incidents, as many as are there", w, len(got))
	}
	spat := testenv.GDAL(t, "ogrinfo", "-so", "-al", "-spat", "-2", "12", "0", "14", path)
	if want := fmt.Sprintf("Feature Count: %d", len(idsInWindow(t, path, windows[0]))); !strings.Contains(spat, want) {
		t.Errorf("ogrinfo -spat -2 12 0 14 does not say %q:\n%s", want, spat)
	}
	// The control: with the root's box moved to the other side of the
	// world, a search through the index finds nothing, while a full read
	// still finds everything. So GDAL did search the index above.
	moveRoot(t, path, orb.Bound{Min: orb.Point{170, 80}, Max: orb.Point{171, 81}})
	if got := idsInWindow(t, path, windows[0]); len(got) != 0 {
		t.Errorf("with the root moved away, -spat still finds %d incidents: the index is not used", len(got))
	}
	if out := testenv.GDAL(t, "ogrinfo", "-al", "-so", path); !strings.Contains(out, "Feature Count: 20000") {
		t.Errorf("the features themselves are intact:\n%s", out)
	}
}

// idsInWindow are the ids ogr2ogr finds in the file at path within w
// (-spat), sorted.
func idsInWindow(t *testing.T, path string, w orb.Bound) []string {
	t.Helper()
	out := testenv.GDAL(t, "ogr2ogr", "-f", "CSV", "/vsistdout/", path, "-select", "id", "-spat",
		fmt.Sprint(w.Min[0]), fmt.Sprint(w.Min[1]), fmt.Sprint(w.Max[0]), fmt.Sprint(w.Max[1]))
	ids := strings.Fields(out)[1:] // the header, "id"
	slices.Sort(ids)
	return ids
}

// moveRoot overwrites the box of the index's root, its first node.
func moveRoot(t *testing.T, path string, b orb.Bound) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // WriteAt's error is the one that counts
	var size [4]byte
	if _, err := f.ReadAt(size[:], int64(len(fgbMagic))); err != nil {
		t.Fatal(err)
	}
	root := int64(len(fgbMagic)) + 4 + int64(binary.LittleEndian.Uint32(size[:]))
	node := fgbNode{b.Min[0], b.Min[1], b.Max[0], b.Max[1], 1}
	if _, err := f.WriteAt(node.appendTo(nil)[:32], root); err != nil {
		t.Fatal(err)
	}
}

func TestFGBLevelsPutTheRootFirst(t *testing.T) {
	cases := map[uint64][]fgbLevel{
		1:   {{1, 2}, {0, 1}},
		16:  {{1, 17}, {0, 1}},
		17:  {{3, 20}, {1, 3}, {0, 1}},
		300: {{22, 322}, {3, 22}, {1, 3}, {0, 1}}, // 300 leaves, 19 nodes, 2, the root
	}
	for n, want := range cases {
		if got := fgbLevels(n); !slices.Equal(got, want) {
			t.Errorf("fgbLevels(%d) = %v, want %v", n, got, want)
		}
	}
}
