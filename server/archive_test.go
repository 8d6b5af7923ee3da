package server_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/protomaps/go-pmtiles/pmtiles"

	"incidentmap/internal/testenv/testapp"
)

// TestAdminArchiveZip: an admin token downloads the archive that
// `incidentmap publish` writes for the same view, as a zip; nobody else
// does, and a bad view is a 400 naming its parameter.
func TestAdminArchiveZip(t *testing.T) {
	const view = "/admin/archive.zip?datetime=2022-03-27/2022-03-31&bbox=-5.3,13.8,-3.9,14.9&lang=en&title=Moura"
	a := testapp.Start(t)
	admin, editor := a.NewToken(t, "archivist", "admin"), a.NewToken(t, "writer", "editor")
	a.WaitTileIndex(t)

	for token, want := range map[string]int{"": http.StatusUnauthorized, editor: http.StatusForbidden} {
		if res, _ := a.Do(t, "GET", view, token, nil); res.StatusCode != want {
			t.Errorf("token %q: %d, want %d", token, res.StatusCode, want)
		}
	}
	res, body := a.Do(t, "GET", "/admin/archive.zip?datetime=2022-03-32", admin, nil)
	if res.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte(`"parameter":"datetime"`)) {
		t.Errorf("a bad datetime: %d %s", res.StatusCode, body)
	}

	res, body = a.Do(t, "GET", view, admin, nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("GET %s: %d %s %.200s", view, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		_ = r.Close()
	}
	for _, name := range []string{"index.html", "style.json", "incidents.geojson", "basemap.pmtiles",
		"js/archive.js", "vendor/pmtiles/pmtiles.mjs", "vendor/maplibre-gl/maplibre-gl.mjs"} {
		if files[name] == nil {
			t.Errorf("the zip lacks %s", name)
		}
	}
	if !bytes.Contains(files["index.html"], []byte("<h1>Moura</h1>")) || !bytes.Contains(files["incidents.geojson"], []byte("moura-2022-03")) {
		t.Errorf("the zip's page or list is not the Moura view")
	}
	h, err := pmtiles.DeserializeHeader(files["incidents.pmtiles"])
	if err != nil || h.MaxZoom != 12 || h.TileType != pmtiles.Mvt {
		t.Errorf("incidents.pmtiles: %+v, %v", h, err)
	}
}
