package server

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"reflect"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"incidentmap/render"
)

// Config is what New needs. The data dependencies are small interfaces,
// each declared beside the handlers that use it. A nil one turns off only
// what needs it (its doc says how); no handler panics for want of one it
// does not use. Everything else has a default.
type Config struct {
	// Store, when not nil, is the database: each data dependency below
	// left nil is taken from it, so it must implement each of those (New
	// panics naming one it lacks). *store.Store implements them all.
	Store any

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
}

// withStore returns cfg with each nil data dependency taken from
// cfg.Store, and Index from Tiles when Tiles is one. It panics when Store
// lacks a method: that is a wiring bug, found at start-up.
func (cfg Config) withStore() Config {
	if cfg.Store != nil {
		fill(&cfg.Incidents, cfg.Store)
		fill(&cfg.Places, cfg.Store)
		fill(&cfg.Editor, cfg.Store)
		fill(&cfg.Auth, cfg.Store)
		fill(&cfg.History, cfg.Store)
		fill(&cfg.Importer, cfg.Store)
		fill(&cfg.MapData, cfg.Store)
		fill(&cfg.Ready, cfg.Store)
	}
	if index, ok := cfg.Tiles.(TileIndex); ok && cfg.Index == nil {
		cfg.Index = index
	}
	return cfg
}

// fill sets *dep to store when *dep is nil; store must implement T.
func fill[T any](dep *T, store any) {
	if any(*dep) != nil {
		return
	}
	d, ok := store.(T)
	if !ok {
		panic(fmt.Sprintf("server: Config.Store (%T) is not a %v", store, reflect.TypeFor[T]()))
	}
	*dep = d
}
