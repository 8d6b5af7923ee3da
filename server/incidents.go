package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// maxCounted is how far a page counts its matches: past it, numberMatched
// is left out (OGC API Features makes it optional) and paging goes on by
// next links until a short page.
const maxCounted = 10000

// exportDeadline bounds how long a full export may take to write.
const exportDeadline = 30 * time.Minute

// incidentItems answers /collections/incidents/items in every format. JSON
// and HTML come in pages; CSV and GeoJSONSeq stream every match from a
// database cursor unless a limit is given.
func (s *Server) incidentItems(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, incidentItemsParams); err != nil {
		return err
	}
	format, err := negotiate(c, fJSON, fHTML, fGeoJSONSeq, fCSV)
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
	if format == fCSV || format == fGeoJSONSeq {
		def, max = 0, 0
	}
	page, err := parsePage(q, def, max)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if fresh, err := s.notModified(c, format+"|"+strconv.FormatBool(authenticated)); err != nil || fresh {
		return err
	}
	switch format {
	case fCSV:
		extendWriteDeadline(c, exportDeadline)
		return s.streamCSV(c, filter, page)
	case fGeoJSONSeq:
		extendWriteDeadline(c, exportDeadline)
		return s.streamGeoJSONSeq(c, filter, page)
	}
	matched, err := s.store.CountIncidents(ctx, filter, maxCounted)
	if err != nil {
		return err
	}
	if format == fHTML {
		var list []geo.Incident
		err := s.store.EachIncident(ctx, filter, page, func(in geo.Incident) error {
			list = append(list, in)
			return nil
		})
		if err != nil {
			return err
		}
		return s.renderIncidentTable(c, list, s.pageLinks(c, page, len(list), matched), matched)
	}
	return s.streamFeatureCollection(c, filter, page, matched)
}

// streamFeatureCollection writes one page as a GeoJSON FeatureCollection,
// feature by feature.
func (s *Server) streamFeatureCollection(c echo.Context, f geo.Filter, p geo.Page, matched int) error {
	w := startLater(c, mediaGeoJSON, "")
	enc := json.NewEncoder(w)
	returned := 0
	err := s.store.EachIncident(c.Request().Context(), f, p, func(in geo.Incident) error {
		if returned == 0 {
			w.Write([]byte(`{"type":"FeatureCollection","features":[`))
		} else {
			w.Write([]byte(","))
		}
		returned++
		return enc.Encode(incidentFeature(&in))
	})
	if err != nil {
		return err
	}
	if returned == 0 {
		w.Write([]byte(`{"type":"FeatureCollection","features":[`))
	}
	summary := map[string]any{
		"numberReturned": returned,
		"timeStamp":      s.now().UTC().Format(time.RFC3339),
		"links":          s.pageLinks(c, p, returned, matched),
	}
	if matched <= maxCounted {
		summary["numberMatched"] = matched
	}
	tail, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	w.Write([]byte("],"))
	_, err = w.Write(tail[1:])
	return err
}

// streamGeoJSONSeq writes every match as an RFC 8142 GeoJSON text sequence:
// each feature preceded by RS and followed by LF.
func (s *Server) streamGeoJSONSeq(c echo.Context, f geo.Filter, p geo.Page) error {
	w := startLater(c, mediaGeoJSONSeq, "incidents.geojsons")
	enc := json.NewEncoder(w)
	err := s.store.EachIncident(c.Request().Context(), f, p, func(in geo.Incident) error {
		w.Write([]byte{0x1e})
		return enc.Encode(incidentFeature(&in))
	})
	if err == nil {
		w.start()
	}
	return err
}

// lazyWriter sends the status and headers of a streamed answer only when the
// first byte is written, so that a failure before any row still gets a
// proper error status. It flushes every flushEvery writes.
type lazyWriter struct {
	c        echo.Context
	media    string
	filename string
	started  bool
	writes   int
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
	if w.writes++; w.writes%flushEvery == 0 {
		w.c.Response().Flush()
	}
	return w.c.Response().Write(b)
}
