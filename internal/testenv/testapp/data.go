package testapp

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// Moura is the village of the seed's best-documented incident
// (moura-2022-03, 27-31 March 2022).
var Moura = orb.Point{-4.5997, 14.3261}

// Sevare is where NewIncident happened.
var Sevare = orb.Point{-4.0947, 14.5246}

// NewIncident is a valid incident the seed lacks: near Sévaré (Sevare) on
// 10 May 2022, id test-sevare-2022-05.
const NewIncident = `{"type": "Feature", "id": "test-sevare-2022-05",
	"geometry": {"type": "Point", "coordinates": [-4.0947, 14.5246]},
	"properties": {"title": "Test attack near Sévaré", "event_type": "battles", "sub_event_type": "armed_clash",
		"location": "Sévaré", "country": "ML", "admin1": "Mopti", "geo_precision": "near",
		"starts_at": "2022-05-10T00:00:00Z", "ends_at": "2022-05-10T23:59:59Z", "date_precision": "day",
		"fatalities_best": 3, "actors": ["Test actor"],
		"claims": [{"claimant": "Test ministry", "fatalities_low": 3, "fatalities_high": 3, "statement": "Three killed.", "source": "https://example.org/a"}],
		"sources": [{"url": "https://example.org/a", "publisher": "Example", "language": "en"}]}}`

// ShapesSeq is a GeoJSONSeq file of a line and an area whose centres lie
// away from the parts that a small bbox around Mopti or Gao touches.
var ShapesSeq = "\x1e" + ShapeFeature("test-line-niger", `{"type":"LineString","coordinates":[[-4.2,14.5],[-1.0,16.3]]}`) +
	"\x1e" + ShapeFeature("test-area-gourma", `{"type":"Polygon","coordinates":[[[-4.3,14.4],[-0.2,14.4],[-0.2,16.4],[-4.3,16.4],[-4.3,14.4]]]}`)

// ShapeFeature is a GeoJSONSeq record (without its record separator) of an
// incident in March 2022 with the given id and GeoJSON geometry.
func ShapeFeature(id, geometry string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"geometry":%s,"properties":{"title":"Test shape","location":"Gourma",`+
		`"country":"ML","event_type":"battles","starts_at":"2022-03-01T00:00:00Z","ends_at":"2022-03-31T23:59:59Z",`+
		`"date_precision":"month","geo_precision":"admin1","fatalities_best":3,`+
		`"sources":[{"url":"https://example.org/%s","publisher":"Test"}]}}`+"\n", id, geometry, id)
}

// TilePath is the URL path of the tile holding p at zoom z.
func TilePath(p orb.Point, z maptile.Zoom) (string, maptile.Tile) {
	t := maptile.At(p, z)
	return "/tiles/" + strconv.Itoa(int(t.Z)) + "/" + strconv.Itoa(int(t.X)) + "/" + strconv.Itoa(int(t.Y)) + ".mvt", t
}

// TileLayers fetches a tile, expects 200, and decodes its layers by name.
func (a *App) TileLayers(t testing.TB, path string) map[string]*mvt.Layer {
	t.Helper()
	res, body := a.Get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range layers {
		out[l.Name] = l
	}
	return out
}

// FeatureIDs are the id properties of a layer's features (none for nil).
func FeatureIDs(l *mvt.Layer) []string {
	var out []string
	if l == nil {
		return out
	}
	for _, f := range l.Features {
		if id, ok := f.Properties["id"].(string); ok {
			out = append(out, id)
		}
	}
	return out
}

// WaitTile fetches the tile at path every 20 ms until its incidents layer
// holds id (want) or lacks it (!want), and returns how long that took; it
// fails the test after within.
func (a *App) WaitTile(t testing.TB, path, id string, want bool, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for slices.Contains(FeatureIDs(a.TileLayers(t, path)["incidents"]), id) != want {
		if time.Since(start) > within {
			t.Fatalf("%s: after %v the tile still shows %s: %v", path, within, id, !want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}
