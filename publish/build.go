package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// The archive's files.
const (
	PageFile          = "index.html"
	StyleFile         = "style.json"
	IncidentsFile     = "incidents.geojson"
	IncidentTilesFile = "incidents.pmtiles"
	BasemapTilesFile  = "basemap.pmtiles"
)

// assets are the built web files an archive carries (paths in static.FS).
var assets = []string{"js", "vendor/maplibre-gl", "vendor/pmtiles", "base.css", "archive.css", "favicon.svg"}

// builder writes one archive into dir.
type builder struct {
	ctx   context.Context
	dir   string
	view  View
	src   Sources
	list  []geo.Incident
	bbox  geo.BBox // the view: the map starts fitted to it
	cover geo.BBox // what the tiles cover, and the map may show (padded)
}

func (b *builder) build(sum *Summary) error {
	tileFilter := b.view.Filter
	tileFilter.BBox = nil // as /tiles: the tiles hold whatever matches, the map shows the area
	inc := newArchive(bboxArray(b.cover), vectorMeta("incidentmap", "incidents", "places"))
	zooms := zoomsFor(b.cover, IncidentMaxZoom)
	if err := fill(b.ctx, inc, zooms, func(ctx context.Context, t maptile.Tile) ([]byte, error) {
		body, _, err := b.src.Tiles.Tile(ctx, t, tileFilter, true)
		return body, err
	}); err != nil {
		return fmt.Errorf("incident tiles: %w", err)
	}
	base := newArchive(bboxArray(b.cover), vectorMeta("basemap", "land", "coastline", "borders", "country_labels"))
	if err := fill(b.ctx, base, zoomsFor(b.cover, BasemapMaxZoom), func(ctx context.Context, t maptile.Tile) ([]byte, error) {
		body, _, err := b.src.Basemap.Tile(ctx, t)
		return body, err
	}); err != nil {
		return fmt.Errorf("basemap tiles: %w", err)
	}
	sum.IncidentTiles, sum.IncidentZooms = len(inc.tiles), [2]int{int(inc.minZ), int(inc.maxZ)}
	sum.BasemapTiles, sum.BasemapZooms = len(base.tiles), [2]int{int(base.minZ), int(base.maxZ)}
	if err := inc.write(filepath.Join(b.dir, IncidentTilesFile)); err != nil {
		return err
	}
	if err := base.write(filepath.Join(b.dir, BasemapTilesFile)); err != nil {
		return err
	}
	if err := b.writeStyle(int(inc.maxZ)); err != nil {
		return err
	}
	caption, description := b.view.Describe(lang(b.view.Lang), b.view.Filter, b.list)
	if err := b.writeIncidents(caption, description); err != nil {
		return err
	}
	if err := copyAssets(b.src.Assets, b.dir); err != nil {
		return err
	}
	return b.writePage(caption, description, int(inc.maxZ))
}

func bboxArray(b geo.BBox) [4]float64 { return [4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} }

func bboxString(b geo.BBox) string {
	return fmt.Sprintf("%g,%g,%g,%g", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)
}

func vectorMeta(name string, layers ...string) map[string]any {
	var vl []any
	for _, l := range layers {
		vl = append(vl, map[string]any{"id": l, "fields": map[string]any{}})
	}
	return map[string]any{"name": name, "vector_layers": vl}
}

// writeStyle writes the viewer's style with its sources pointing at the
// archives: pmtiles:// URLs relative to the page.
func (b *builder) writeStyle(incidentMaxZoom int) error {
	var st map[string]any
	if err := json.Unmarshal(b.view.Style, &st); err != nil {
		return fmt.Errorf("style: %w", err)
	}
	sources, _ := st["sources"].(map[string]any)
	for name, file := range map[string]string{"incidentmap": IncidentTilesFile, "basemap": BasemapTilesFile} {
		src, ok := sources[name].(map[string]any)
		if !ok {
			return fmt.Errorf("style: no %q source", name)
		}
		delete(src, "tiles")
		src["url"] = "pmtiles://" + file
	}
	return writeJSON(filepath.Join(b.dir, StyleFile), st)
}

// writeIncidents writes the list, claims and sources as GeoJSON, with the
// view's caption and description as a foreign member.
func (b *builder) writeIncidents(caption, description string) error {
	type feature struct {
		Type       string            `json:"type"`
		ID         string            `json:"id"`
		Geometry   *geojson.Geometry `json:"geometry"`
		Properties geo.IncidentProps `json:"properties"`
	}
	features := make([]feature, 0, len(b.list))
	for i := range b.list {
		in := &b.list[i]
		var g *geojson.Geometry
		if in.Geometry != nil {
			g = geojson.NewGeometry(orb.Round(orb.Clone(in.Geometry), 1e6))
		}
		features = append(features, feature{Type: "Feature", ID: in.ID, Geometry: g, Properties: in.Props()})
	}
	return writeJSON(filepath.Join(b.dir, IncidentsFile), map[string]any{
		"type": "FeatureCollection", "features": features,
		"view": map[string]any{
			"title": b.title(caption), "caption": caption, "description": description, "lang": lang(b.view.Lang),
			"bbox": bboxArray(b.bbox), "published_at": b.view.Now.UTC().Format(time.RFC3339),
		},
	})
}

func (b *builder) title(caption string) string {
	if b.view.Title != "" {
		return b.view.Title
	}
	return caption
}

// writePage renders archive.html into index.html.
func (b *builder) writePage(caption, description string, maxZoom int) error {
	page, err := template.ParseFS(b.src.Assets, "archive.html")
	if err != nil {
		return fmt.Errorf("the archive page is not built (make web): %w", err)
	}
	var buf bytes.Buffer
	err = page.Execute(&buf, map[string]any{
		"Lang": lang(b.view.Lang), "Title": b.title(caption), "Caption": caption, "Description": description,
		"Count": len(b.list), "Published": b.view.Now.UTC().Format("2006-01-02"),
		"Bounds": bboxString(b.bbox), "Cover": bboxString(b.cover), "MaxZoom": maxZoom, "Theme": theme(b.view.Theme),
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.dir, PageFile), buf.Bytes(), 0o644)
}

func writeJSON(file string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(file, raw, 0o644)
}

// copyAssets copies the page's code and styles from the built assets.
func copyAssets(files fs.FS, dir string) error {
	for _, root := range assets {
		err := fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			target := filepath.Join(dir, filepath.FromSlash(p))
			if d.IsDir() {
				return os.MkdirAll(target, 0o755)
			}
			raw, err := fs.ReadFile(files, p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.WriteFile(target, raw, 0o644)
		})
		if err != nil {
			return fmt.Errorf("the web assets (make web): %s: %w", path.Clean(root), err)
		}
	}
	return nil
}
