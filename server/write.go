package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/labstack/echo/v4"

	"incidentmap/geo"
	"incidentmap/ingest"
)

// maxFeatureBytes bounds the body of one written feature.
const maxFeatureBytes = 2 << 20

// IncidentEditor reads and writes incidents whatever their status, for the
// editors' routes (and the reads of a token holder). Failures are
// *geo.Error values.
type IncidentEditor interface {
	// IncidentForEditor returns an incident whatever its status (ENotFound).
	IncidentForEditor(ctx context.Context, id string) (geo.Incident, error)
	// WriteIncident stores an incident and a new version of it, and
	// returns its revision (EExists when creating an id that exists,
	// EConflict on a stale revision, ENotFound, EUnprocessable).
	WriteIncident(ctx context.Context, in *geo.Incident, w geo.Write) (int, error)
	// DeleteIncident deletes an incident as author; ifRevision, when not
	// 0, must be its current revision (EConflict).
	DeleteIncident(ctx context.Context, id, author string, ifRevision int) error
	// Geocode places a feature that has a location and no geometry.
	ingest.Gazetteer
}

// createIncident answers POST /collections/incidents/items: 201 with
// Location and the stored feature.
func (s *Server) createIncident(c echo.Context) error {
	if err := s.requireIncidents(c); err != nil {
		return err
	}
	body, err := readBody(c, maxFeatureBytes)
	if err != nil {
		return err
	}
	in, err := s.decodeFeature(c, body, "")
	if err != nil {
		return err
	}
	if in.ID == "" {
		in.ID = newIncidentID()
	}
	if err := s.validate(&in); err != nil {
		return err
	}
	w := geo.Write{Author: tokenName(c), Create: true}
	if _, err := s.editor.WriteIncident(c.Request().Context(), &in, w); err != nil {
		return err
	}
	c.Response().Header().Set("Location", s.baseURL(c)+"/collections/incidents/items/"+url.PathEscape(in.ID))
	return s.writtenFeature(c, http.StatusCreated, in.ID)
}

// replaceIncident answers PUT /collections/incidents/items/{id}.
func (s *Server) replaceIncident(c echo.Context) error {
	ifRev, body, err := s.readUpdate(c)
	if err != nil {
		return err
	}
	id := c.Param("fid")
	in, err := s.decodeFeature(c, body, id)
	if err != nil {
		return err
	}
	return s.update(c, &in, ifRev)
}

// patchIncident answers PATCH /collections/incidents/items/{id}: an RFC
// 7396 JSON merge patch applied to the feature as GET shows it.
func (s *Server) patchIncident(c echo.Context) error {
	ifRev, patch, err := s.readUpdate(c)
	if err != nil {
		return err
	}
	id := c.Param("fid")
	current, err := s.editor.IncidentForEditor(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if ifRev == 0 {
		ifRev = current.Revision // the patch applies to what we read
	}
	doc, err := json.Marshal(incidentFeature(&current))
	if err != nil {
		return err
	}
	merged, err := jsonpatch.MergePatch(doc, patch)
	if err != nil {
		return geo.Invalid("body", "is not a JSON merge patch: %v", err)
	}
	in, err := s.decodeFeature(c, merged, id)
	if err != nil {
		return err
	}
	return s.update(c, &in, ifRev)
}

// readUpdate checks a PUT or PATCH of an incident and reads its If-Match
// revision (0: none) and its body.
func (s *Server) readUpdate(c echo.Context) (ifRev int, body []byte, err error) {
	if err := s.requireIncidents(c); err != nil {
		return 0, nil, err
	}
	if ifRev, err = ifMatchRevision(c); err != nil {
		return 0, nil, err
	}
	body, err = readBody(c, maxFeatureBytes)
	return ifRev, body, err
}

// update validates and stores a full new version of an existing incident.
func (s *Server) update(c echo.Context, in *geo.Incident, ifRev int) error {
	if err := s.validate(in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	w := geo.Write{Author: tokenName(c), IfRevision: ifRev, Replace: true}
	if old, err := s.editor.IncidentForEditor(ctx, in.ID); err == nil {
		w.Patch = mergePatch(incidentFeature(&old), incidentFeature(in))
	}
	if _, err := s.editor.WriteIncident(ctx, in, w); err != nil {
		return err
	}
	return s.writtenFeature(c, http.StatusOK, in.ID)
}

// deleteIncident answers DELETE /collections/incidents/items/{id}: 204.
func (s *Server) deleteIncident(c echo.Context) error {
	if err := s.requireIncidents(c); err != nil {
		return err
	}
	ifRev, err := ifMatchRevision(c)
	if err != nil {
		return err
	}
	if err := s.editor.DeleteIncident(c.Request().Context(), c.Param("fid"), tokenName(c), ifRev); err != nil {
		return err
	}
	s.showWrites(c.Request().Context())
	return c.NoContent(http.StatusNoContent)
}

// showWrites waits, up to showWritesWithin, until this instance's items
// and tiles show every committed write, so that an editor reads a write
// back at once. Past that (the index reloading after a huge import, the
// database gone) the answer goes out anyway; the index catches up.
func (s *Server) showWrites(ctx context.Context) {
	if s.index == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, showWritesWithin)
	defer cancel()
	if err := s.index.Sync(ctx); err != nil {
		s.log.Warn("write answered before the tile index showed it", "err", err)
	}
}

const showWritesWithin = time.Second

func (s *Server) requireIncidents(c echo.Context) error {
	if c.Param("collection") != "incidents" {
		if _, err := s.findCollection(c.Param("collection")); err != nil {
			return err
		}
		return echo.NewHTTPError(http.StatusMethodNotAllowed, "only incidents can be written")
	}
	return checkParams(c.QueryParams(), nil)
}

// writtenFeature answers with the incident as stored, and its ETag.
func (s *Server) writtenFeature(c echo.Context, status int, id string) error {
	s.showWrites(c.Request().Context())
	in, err := s.editor.IncidentForEditor(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", revisionETag(in.Revision))
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set(echo.HeaderContentType, mediaGeoJSON)
	c.Response().WriteHeader(status)
	return json.NewEncoder(c.Response()).Encode(incidentFeature(&in))
}

// decodeFeature reads a GeoJSON Feature of an incident by the one rule of
// ingest.DecodeFeature: its id may be absent (POST makes one) and must
// match pathID when given; a feature with a location and no geometry is
// placed against the gazetteer.
func (s *Server) decodeFeature(c echo.Context, body []byte, pathID string) (geo.Incident, error) {
	return ingest.DecodeFeature(c.Request().Context(), body,
		ingest.Options{IDOptional: true, PathID: pathID, Gazetteer: s.editor})
}

// validate reports every problem of an incident at once: 422.
func (s *Server) validate(in *geo.Incident) error {
	if ps := in.Validate(); ps != nil {
		return &validationError{ps}
	}
	return nil
}

// validationError is a 422 listing each field's problem.
type validationError struct{ problems geo.Problems }

func (e *validationError) Error() string { return e.problems.Error() }

// ifMatchRevision reads If-Match: "r<N>" gives revision N; absent gives 0.
func ifMatchRevision(c echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	rev, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(h, `"r`), `"`))
	if err != nil || !strings.HasPrefix(h, `"r`) || rev < 1 {
		return 0, &geo.Error{Code: geo.EConflict, Param: "If-Match", Message: fmt.Sprintf("%q is not an ETag of this server", safe(h))}
	}
	return rev, nil
}

func revisionETag(rev int) string { return `"r` + strconv.Itoa(rev) + `"` }

func tokenName(c echo.Context) string {
	name, _ := c.Get(tokenNameKey).(string)
	return name
}

// readBody reads at most limit bytes of the request body: 413 beyond.
func readBody(c echo.Context, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, limit+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &geo.Error{Code: geo.ETooLarge, Param: "body", Message: "is too large"}
		}
		return nil, geo.Invalid("body", "could not be read: %v", err)
	}
	if int64(len(b)) > limit {
		return nil, &geo.Error{Code: geo.ETooLarge, Param: "body", Message: fmt.Sprintf("is larger than %d bytes", limit)}
	}
	return b, nil
}

// mergePatch is the RFC 7396 patch from one feature to another, or nil.
func mergePatch(from, to featureJSON) []byte {
	a, err1 := json.Marshal(from)
	b, err2 := json.Marshal(to)
	if err1 != nil || err2 != nil {
		return nil
	}
	p, err := jsonpatch.CreateMergePatch(a, b)
	if err != nil {
		return nil
	}
	return p
}

func newIncidentID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "inc-" + hex.EncodeToString(b)
}
