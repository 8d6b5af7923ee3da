package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/protomaps/go-pmtiles/pmtiles"

	"incidentmap/internal/cli"
	"incidentmap/internal/testenv/testapp"
	"incidentmap/publish"
)

const (
	mouraWindow = "2022-03-27/2022-03-31"
	mouraBBox   = "-5.3,13.8,-3.9,14.9"
)

// TestPublishRefusesABadOptionAndWritesNothing: each bad option is one
// line naming it, before the database is needed, and nothing is written.
func TestPublishRefusesABadOptionAndWritesNothing(t *testing.T) {
	parent := t.TempDir()
	full := filepath.Join(parent, "full")
	if err := os.Mkdir(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "article.html"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(parent, "out")
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", out, "--datetime", "2022-13-01"}, "publish: --datetime: "},
		{[]string{"--out", out, "--datetime", "2022-03-31/2022-03-01"}, "publish: --datetime: "},
		{[]string{"--out", out, "--bbox", "-5.3,13.8"}, "publish: --bbox: "},
		{[]string{"--out", out, "--bbox", "1,2,3,95"}, "publish: --bbox: "},
		{[]string{"--out", out, "--lang", "de"}, "publish: --lang: "},
		{[]string{"--out", out, "--as-of", "yesterday"}, "publish: --as-of: "},
		{[]string{"--out", out, "--event_type", "picnics"}, "publish: --event_type: "},
		{[]string{"--out", out, "--min_fatalities", "-1"}, "publish: --min_fatalities: "},
		{[]string{"--out", out, "--filter", "fatalities_best >>> 3"}, "publish: --filter: "},
		{[]string{"--out", out, "--title", "two\nlines"}, "publish: --title: "},
		{[]string{"--datetime", mouraWindow}, "publish: --out: an output directory is required"},
		{[]string{"--out", full}, "publish: --out: " + full + " exists and is not empty"},
		{[]string{"--out", file}, "is not a directory"},
		{[]string{"--out", filepath.Join(file, "archive")}, "does not exist"},
		{[]string{"--out", out, "--nope"}, "flag provided but not defined: -nope"},
	} {
		err := cli.Run(context.Background(), append([]string{"publish"}, c.args...), noEnv, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("publish %q: %v, want one line with %q", c.args, err, c.want)
		}
	}
	left, _ := os.ReadDir(parent)
	if len(left) != 2 {
		t.Errorf("the refusals wrote something: %v", left)
	}
	if mine, _ := os.ReadFile(filepath.Join(full, "article.html")); string(mine) != "mine" {
		t.Error("a refusal changed a file of the existing folder")
	}
}

// TestPublishWritesTheMouraView publishes the Moura view of the seeded
// database and reads the archives back with go-pmtiles: Moura's tile is the
// very tile the server serves for that window.
func TestPublishWritesTheMouraView(t *testing.T) {
	dsn := testapp.Seeded(t)
	out := filepath.Join(t.TempDir(), "moura")
	testapp.Run(t, dsn, nil, "publish", "--out", out, "--datetime", mouraWindow, "--bbox", mouraBBox,
		"--lang", "fr", "--title", "Moura, mars 2022")
	for _, f := range []string{"index.html", "style.json", "incidents.geojson", "incidents.pmtiles", "basemap.pmtiles",
		"js/archive.js", "js/panel.js", "js/labels.js", "vendor/maplibre-gl/maplibre-gl.mjs",
		"vendor/maplibre-gl/maplibre-gl-worker.mjs", "vendor/pmtiles/pmtiles.mjs"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the archive lacks %s: %v", f, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, want := range []string{`<html lang="fr"`, "<h1>Moura, mars 2022</h1>", "près de Moura"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	var list struct {
		Features []struct {
			ID         string `json:"id"`
			Properties struct {
				Claims  []json.RawMessage `json:"claims"`
				Sources []json.RawMessage `json:"sources"`
			} `json:"properties"`
		} `json:"features"`
	}
	raw, _ := os.ReadFile(filepath.Join(out, "incidents.geojson"))
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Features) != 1 || list.Features[0].ID != "moura-2022-03" ||
		len(list.Features[0].Properties.Claims) == 0 || len(list.Features[0].Properties.Sources) == 0 {
		t.Fatalf("incidents.geojson: %s", raw)
	}

	h, tiles, err := publish.ReadTiles(filepath.Join(out, "incidents.pmtiles"))
	if err != nil {
		t.Fatal(err)
	}
	if h.SpecVersion != 3 || h.TileType != pmtiles.Mvt || h.TileCompression != pmtiles.Gzip || h.MinZoom != 0 || h.MaxZoom != 12 {
		t.Errorf("incidents.pmtiles header: %+v", h)
	}
	path, tile := testapp.TilePath(orb.Point{-4.5997, 14.3261}, 10) // Moura
	inArchive := tiles[pmtiles.ZxyToID(uint8(tile.Z), tile.X, tile.Y)]
	layers, err := mvt.UnmarshalGzipped(inArchive)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range layers {
		if l.Name == "incidents" && strings.Contains(strings.Join(testapp.FeatureIDs(l), " "), "moura-2022-03") {
			found = true
		}
	}
	if !found {
		t.Errorf("Moura's tile %s in the archive lacks moura-2022-03", path)
	}
	if h, _, err := publish.ReadTiles(filepath.Join(out, "basemap.pmtiles")); err != nil || h.MaxZoom != 8 || h.AddressedTilesCount == 0 {
		t.Errorf("basemap.pmtiles: %+v, %v", h, err)
	}

	a := testapp.Serve(t, dsn)
	a.WaitTileIndex(t)
	res, served := a.Get(t, path+"?datetime="+mouraWindow, "Accept-Encoding", "gzip") // the gzipped bytes themselves
	if res.StatusCode != 200 || !bytes.Equal(served, inArchive) {
		t.Errorf("the archive's tile %s differs from the server's (%d, %d vs %d bytes)", path, res.StatusCode, len(served), len(inArchive))
	}
}
