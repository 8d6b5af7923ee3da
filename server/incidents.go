package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/export"
	"incidentmap/geo"
)

// IncidentReader reads the published incidents (and, with the statuses a
// filter names, drafts too) for the items routes and the collections.
// Failures are *geo.Error values (ENotFound, EUnavailable, ...) or plain
// errors for bugs.
type IncidentReader interface {
	DataVersioner
	// Incident returns a published incident (ENotFound).
	Incident(ctx context.Context, id string) (geo.Incident, error)
	Incidents(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, error)
	// IncidentsByID returns the published incidents among ids, in order.
	IncidentsByID(ctx context.Context, ids []string) ([]geo.Incident, error)
	// CountIncidents counts the matches up to upTo+1 (more than upTo).
	CountIncidents(ctx context.Context, f geo.Filter, upTo int) (int, error)
	// EachIncident calls fn for every incident of page p of the matches of
	// f, in order, a batch at a time (exports).
	EachIncident(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error
	// EachIncidentByID calls fn for the published incidents among ids, in
	// order, a batch at a time (exports listed by the tile index).
	EachIncidentByID(ctx context.Context, ids []string, fn func(geo.Incident) error) error
	IncidentExtent(ctx context.Context) (geo.Extent, error)
}

// maxCounted is how far a page counts its matches: past it, numberMatched
// is left out (OGC API Features makes it optional) and paging goes on by
// next links until a short page.
const maxCounted = 10000

// exportDeadline bounds how long an import may take to answer (import.go).
const exportDeadline = 30 * time.Minute

// incidentItems answers /collections/incidents/items in every format. JSON
// and HTML come in pages; CSV, GeoJSONSeq and the file formats of package
// export stream every match (or the page that limit and offset ask for),
// within the bounds of export.
func (s *Server) incidentItems(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, incidentItemsParams); err != nil {
		return err
	}
	format, err := negotiate(c, incidentFormats...)
	if err != nil {
		return err
	}
	filter, err := parseFilter(q)
	if err != nil {
		return err
	}
	authenticated, err := s.optionalToken(c)
	if err != nil {
		return err
	}
	if filter.Statuses, err = parseStatuses(q, authenticated); err != nil {
		return err
	}
	def, max := geo.DefaultLimit, geo.MaxLimit
	if exportsEveryMatch(format) {
		def, max = 0, 0
	}
	page, err := parsePage(q, def, max)
	if err != nil {
		return err
	}
	sel, err := parseOrderAndSelection(q, &page, geo.IncidentQueryables, incidentPropFields, "incidents")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if fresh, err := s.notModified(c, s.incidents, format+"|"+strconv.FormatBool(authenticated)); err != nil || fresh {
		return err
	}
	switch format {
	case fCSV:
		return s.export(c, func(ctx context.Context, idle time.Duration) error {
			return s.streamCSV(ctx, c, idle, filter, page, sel)
		})
	case fGeoJSONSeq:
		return s.export(c, func(ctx context.Context, idle time.Duration) error {
			return s.streamGeoJSONSeq(ctx, c, idle, filter, page, sel)
		})
	}
	if ff, ok := export.Lookup(format); ok {
		return s.export(c, func(ctx context.Context, idle time.Duration) error {
			return s.streamFile(ctx, c, idle, ff, filter, page, sel)
		})
	}
	list, n, err := s.incidentPage(ctx, filter, page)
	if err != nil {
		return err
	}
	links := append(s.pageLinks(c, page, n.more(page, len(list))), fileLinks("alternate", s.requestWith(c))...)
	if format == fHTML {
		return s.renderIncidentTable(c, list, links, n)
	}
	return s.writeFeatureCollection(c, list, links, n, sel)
}

// matchCount is how many incidents match a filter: exactly, or more than
// n when counting stopped there.
type matchCount struct {
	n     int
	exact bool
}

// more reports whether pages follow one of p that returned so many.
func (m matchCount) more(p geo.Page, returned int) bool {
	return returned == p.Limit && (!m.exact || p.Offset+returned < m.n)
}

// incidentPage returns one page of the incidents that match f and how many
// match. The tiles' in-memory index answers the filters it knows (the
// page's ids and an exact count, in milliseconds even over millions of
// incidents), and only the page's rows are read from PostGIS, by id;
// PostGIS answers the rest, counting no further than maxCounted.
func (s *Server) incidentPage(ctx context.Context, f geo.Filter, p geo.Page) ([]geo.Incident, matchCount, error) {
	if s.index != nil {
		if ids, n, ok := s.index.Match(f, p); ok {
			list, err := s.incidents.IncidentsByID(ctx, ids)
			return list, matchCount{n: n, exact: true}, err
		}
	}
	if err := deepOffset(p); err != nil {
		return nil, matchCount{}, err
	}
	n, err := s.incidents.CountIncidents(ctx, f, maxCounted)
	if err != nil {
		return nil, matchCount{}, err
	}
	count := matchCount{n: min(n, maxCounted), exact: n <= maxCounted}
	list, err := s.incidents.Incidents(ctx, f, p)
	return list, count, err
}

// featureCollection is a page of items, its members in the order of
// OGC API Features.
type featureCollection struct {
	Type           string        `json:"type"`
	Features       []featureJSON `json:"features"`
	NumberMatched  *int          `json:"numberMatched,omitempty"` // left out past maxCounted
	NumberReturned int           `json:"numberReturned"`
	TimeStamp      string        `json:"timeStamp"`
	Links          []link        `json:"links"`
}

// eachIncident calls fn for every incident of page p of the matches of f
// (p.Limit 0: all of them), in order, holding one batch at a time. When
// the tiles' index can list the matches (see tiles.Service.EachMatch), it
// hands them over exportWindow ids at a time and the rows are read by id
// (store.EachIncidentByID); otherwise PostGIS lists them in keyset batches
// (store.EachIncident). Either way no database connection is held while
// fn runs, except for a read as of a past instant (a cursor).
func (s *Server) eachIncident(ctx context.Context, f geo.Filter, p geo.Page, fn func(geo.Incident) error) error {
	if s.index != nil {
		ok, err := s.index.EachMatch(f, p, exportWindow, func(ids []string) error {
			return s.incidents.EachIncidentByID(ctx, ids, fn)
		})
		if ok {
			return err
		}
	}
	if err := deepOffset(p); err != nil {
		return err
	}
	return s.incidents.EachIncident(ctx, f, p, fn)
}

// exportWindow is how many ids an export takes from the index at a time
// (about 700 KB): each window costs a scan of the index, 50 for 1M.
const exportWindow = 20000

// writeFeatureCollection writes one page as a GeoJSON FeatureCollection.
func (s *Server) writeFeatureCollection(c echo.Context, list []geo.Incident, links []link, n matchCount, sel *propertySelection) error {
	page := featureCollection{Type: "FeatureCollection", Features: make([]featureJSON, len(list)),
		NumberReturned: len(list), TimeStamp: s.now().UTC().Format(time.RFC3339), Links: links}
	for i := range list {
		page.Features[i] = selectedFeature(&list[i], sel)
	}
	if n.exact {
		page.NumberMatched = &n.n
	}
	return writeJSON(c, mediaGeoJSON, page)
}

// streamGeoJSONSeq writes every match as an RFC 8142 GeoJSON text sequence:
// each feature preceded by RS and followed by LF.
func (s *Server) streamGeoJSONSeq(ctx context.Context, c echo.Context, idle time.Duration, f geo.Filter, p geo.Page,
	sel *propertySelection) error {
	w := startLater(c, mediaGeoJSONSeq, "incidents.geojsons")
	w.deadline = newWriteDeadline(ctx, c, idle)
	enc := json.NewEncoder(w)
	err := s.eachIncident(ctx, f, p, func(in geo.Incident) error {
		if _, err := w.Write([]byte{0x1e}); err != nil {
			return err
		}
		return enc.Encode(selectedFeature(&in, sel))
	})
	if err == nil {
		w.deadline.renew() // the end of the answer gets its own idle time
		w.start()
	}
	return err
}

// lazyWriter sends the status and headers of a streamed answer only when the
// first byte is written, so that a failure before any row still gets a
// proper error status. It flushes every flushEvery writes, and renews
// deadline, when it has one, at every write.
type lazyWriter struct {
	c        echo.Context
	media    string
	filename string
	started  bool
	writes   int
	deadline *writeDeadline
}

const flushEvery = 1000

func startLater(c echo.Context, media, filename string) *lazyWriter {
	return &lazyWriter{c: c, media: media, filename: filename}
}

func (w *lazyWriter) start() {
	if w.started {
		return
	}
	w.started = true
	h := w.c.Response().Header()
	h.Set(echo.HeaderContentType, w.media)
	if w.filename != "" {
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+w.filename+`"`)
	}
	w.c.Response().WriteHeader(http.StatusOK)
}

func (w *lazyWriter) Write(b []byte) (int, error) {
	w.start()
	if w.deadline != nil {
		w.deadline.renew()
	}
	if w.writes++; w.writes%flushEvery == 0 {
		w.c.Response().Flush()
	}
	return w.c.Response().Write(b)
}
