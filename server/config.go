package server

import (
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"incidentmap/render"
)

// Config is what New needs. The data dependencies are small interfaces,
// each declared beside the handlers that use it. A nil one turns off only
// what needs it (its doc says how); no handler panics for want of one it
// does not use. *store.Store implements every one of them (internal/cli
// wires it in). Everything else has a default.
type Config struct {
	Incidents IncidentReader // nil: no incidents collection (404)
	Places    PlaceReader    // nil: no places collection (404), embed titles name no place
	// Editor nil: no write routes (405), and a token reads an incident as
	// the public does.
	Editor   IncidentEditor
	Auth     Authenticator // nil: every token is refused (401)
	History  HistoryReader // nil: no /revisions nor /changes (404)
	Importer Importer      // nil: no /import (404)
	MapData  MapData       // nil: no /map.png (404)
	Ready    ReadyChecker  // nil: /readyz checks no database
	// Webhooks nil: no /webhooks/deliveries (404).
	Webhooks WebhookLog

	Tiles Tiles // nil: no /tiles routes
	// Index is the tiles' in-memory index; nil: Tiles when it is one (as
	// *tiles.Service is), else PostGIS answers every read.
	Index     TileIndex
	Static    fs.FS  // the web pages; nil serves a plain placeholder
	PublicURL string // base URL for links; "" derives it from each request
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (ParseTrustedProxies); nil: loopback only.
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger // default slog.Default()
	Now            func() time.Time
	// Metrics is the registry /metrics serves; the server adds its HTTP
	// metrics to it. nil: a registry of its own.
	Metrics *prometheus.Registry

	// Basemap serves the built-in basemap tiles of the viewer; nil: none.
	Basemap Basemap
	// BasemapStyle is the URL of an external basemap style that replaces
	// the built-in basemap in the viewer; "" keeps the built-in one.
	BasemapStyle string
	// Maps draws /map.png (and the titles of /oembed); nil: no /map.png.
	Maps *render.Renderer
	// Exports bound the concurrent CSV and GeoJSONSeq exports (exports.go).
	Exports ExportLimits
	// Live broadcasts the changes the tile index applies to the live
	// streams; nil: no /changes/stream (404). Streams bound them.
	Live    *Hub
	Streams StreamLimits
}

// withIndex returns cfg with Index taken from Tiles when it is left nil
// and Tiles is one (as *tiles.Service is).
func (cfg Config) withIndex() Config {
	if index, ok := cfg.Tiles.(TileIndex); ok && cfg.Index == nil {
		cfg.Index = index
	}
	return cfg
}
