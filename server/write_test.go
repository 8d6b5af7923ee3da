package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"incidentmap/geo"
)

// sevare is a complete incident feature, as an editor POSTs it.
var sevare = func() string {
	b, err := os.ReadFile("testdata/sevare.geojson")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

const sevarePath = "/collections/incidents/items/test-sevare-2022-05"

// send serves one request with a body and headers (name, value, ...).
func send(s *Server, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// parameterOf is the parameter an error answer names.
func parameterOf(rec *httptest.ResponseRecorder) string {
	var body errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Parameter
}

const editor = "Bearer s3cret"

// A write answers with the status that says what happened and the
// incident's revision as its ETag; If-Match takes that ETag back, and a
// stale one changes nothing.
func TestWritesKeepRevisions(t *testing.T) {
	d := newDesk()
	s := New(Config{Editor: d, Auth: deskTokens, Places: gazetteer{}})
	steps := []struct {
		name, method, target, body string
		header                     []string
		status                     int
		etag, param                string
	}{
		{name: "POST creates", method: "POST", target: "/collections/incidents/items", body: sevare,
			status: http.StatusCreated, etag: `"r1"`},
		{name: "POST of an existing id", method: "POST", target: "/collections/incidents/items", body: sevare,
			status: http.StatusConflict, param: "id"},
		{name: "PUT at the current revision", method: "PUT", target: sevarePath, body: sevare,
			header: []string{"If-Match", `"r1"`}, status: http.StatusOK, etag: `"r2"`},
		{name: "PUT at a stale revision", method: "PUT", target: sevarePath, body: sevare,
			header: []string{"If-Match", `"r1"`}, status: http.StatusPreconditionFailed},
		{name: "If-Match that is not our ETag", method: "PUT", target: sevarePath, body: sevare,
			header: []string{"If-Match", `W/"abc"`}, status: http.StatusPreconditionFailed, param: "If-Match"},
		{name: "PATCH without If-Match applies to what it read", method: "PATCH", target: sevarePath,
			body: `{"properties": {"fatalities_best": 4}}`, status: http.StatusOK, etag: `"r3"`},
		{name: "PATCH that is not a merge patch", method: "PATCH", target: sevarePath, body: `[1,`,
			status: http.StatusBadRequest, param: "body"},
		{name: "PUT whose body names another id", method: "PUT", target: "/collections/incidents/items/test-elsewhere", body: sevare,
			status: http.StatusBadRequest, param: "id"},
		{name: "PUT of an unknown id", method: "PUT", target: "/collections/incidents/items/test-elsewhere",
			body: strings.Replace(sevare, `"id": "test-sevare-2022-05",`, "", 1), status: http.StatusNotFound},
		{name: "a write to places", method: "PUT", target: "/collections/places/items/moura", body: sevare,
			status: http.StatusMethodNotAllowed},
		{name: "a parameter on a write", method: "PATCH", target: sevarePath + "?f=json", body: `{}`,
			status: http.StatusBadRequest, param: "f"},
		{name: "DELETE at a stale revision", method: "DELETE", target: sevarePath,
			header: []string{"If-Match", `"r2"`}, status: http.StatusPreconditionFailed},
		{name: "DELETE", method: "DELETE", target: sevarePath, header: []string{"If-Match", `"r3"`}, status: http.StatusNoContent},
		{name: "DELETE of what is gone", method: "DELETE", target: sevarePath, status: http.StatusNotFound},
	}
	for _, st := range steps {
		rec := send(s, st.method, st.target, st.body, append([]string{"Authorization", editor}, st.header...)...)
		if rec.Code != st.status || rec.Header().Get("ETag") != st.etag || parameterOf(rec) != st.param {
			t.Errorf("%s: %d, ETag %q, parameter %q; want %d, %q, %q\n%s", st.name, rec.Code, rec.Header().Get("ETag"),
				parameterOf(rec), st.status, st.etag, st.param, rec.Body)
		}
	}
	patched := false
	for _, w := range d.writes {
		patched = patched || (w.Replace && w.IfRevision == 2 && w.Author == "amadou-desk" && len(w.Patch) > 0)
	}
	if !patched {
		t.Errorf("no write replaced revision 2 with its patch, by amadou-desk: %+v", d.writes)
	}
}

// A created incident gets a Location, its feature back, and no caching.
func TestCreatedIncidentAnswer(t *testing.T) {
	s := New(Config{Editor: newDesk(), Auth: deskTokens})
	rec := send(s, "POST", "/collections/incidents/items", sevare, "Authorization", editor)
	var f struct {
		ID         string
		Properties struct{ Title, Status string }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &f)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "http://example.com"+sevarePath ||
		rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Type") != mediaGeoJSON ||
		f.ID != "test-sevare-2022-05" || f.Properties.Title != "Test attack near Sévaré" || f.Properties.Status != geo.StatusPublished {
		t.Errorf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// Writes need a live token of the editor or admin scope: 401 names the
// scheme, 403 the scope; an import needs the admin's.
func TestWritesNeedTheirScope(t *testing.T) {
	s := New(Config{Editor: newDesk(), Auth: deskTokens, Importer: importCounter{}})
	for _, tc := range []struct {
		name, method, target, authorization string
		status                              int
		challenge                           string
	}{
		{"no token", "POST", "/collections/incidents/items", "", http.StatusUnauthorized, `Bearer realm="incidentmap"`},
		{"an unknown token", "POST", "/collections/incidents/items", "Bearer nope", http.StatusUnauthorized,
			`Bearer realm="incidentmap", error="invalid_token"`},
		{"not a bearer token", "DELETE", sevarePath, "Basic czNjcmV0", http.StatusUnauthorized, `Bearer realm="incidentmap"`},
		{"an editor importing", "POST", "/import?format=acled", editor, http.StatusForbidden, ""},
		{"the admin writing", "POST", "/collections/incidents/items", "Bearer r00t", http.StatusCreated, ""},
	} {
		rec := send(s, tc.method, tc.target, sevare, "Authorization", tc.authorization)
		if rec.Code != tc.status || rec.Header().Get("WWW-Authenticate") != tc.challenge {
			t.Errorf("%s: %d, WWW-Authenticate %q; want %d, %q", tc.name, rec.Code, rec.Header().Get("WWW-Authenticate"), tc.status, tc.challenge)
		}
	}
}

// A feature with a location and no geometry is placed at the gazetteer's
// place of that name; a name the gazetteer does not know is 422, naming
// the location.
func TestWritesGeocodeALocation(t *testing.T) {
	s := New(Config{Editor: newDesk(), Auth: deskTokens})
	located := func(location string) string {
		return `{"type": "Feature", "geometry": null, "properties": {"title": "T", "event_type": "battles",
			"location": "` + location + `", "geo_precision": "near",
			"starts_at": "2022-05-10T00:00:00Z", "ends_at": "2022-05-10T23:59:59Z",
			"sources": [{"url": "https://example.org/b", "publisher": "Example"}]}}`
	}
	rec := send(s, "POST", "/collections/incidents/items", located("Moura"), "Authorization", editor)
	var f struct {
		Geometry   struct{ Coordinates []float64 }
		Properties struct{ Country string }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &f)
	if c := f.Geometry.Coordinates; rec.Code != http.StatusCreated || len(c) != 2 || c[0] != mouraPoint[0] || c[1] != mouraPoint[1] ||
		f.Properties.Country != "ML" {
		t.Errorf("Moura: %d %s", rec.Code, rec.Body)
	}
	rec = send(s, "POST", "/collections/incidents/items", located("Nowhereville"), "Authorization", editor)
	if rec.Code != http.StatusUnprocessableEntity || parameterOf(rec) != "location" {
		t.Errorf("Nowhereville: %d %s", rec.Code, rec.Body)
	}
}

// A body past maxFeatureBytes is 413, whatever it holds.
func TestWriteBodyIsBounded(t *testing.T) {
	s := New(Config{Editor: newDesk(), Auth: deskTokens})
	rec := send(s, "POST", "/collections/incidents/items", strings.Repeat("x", maxFeatureBytes+1), "Authorization", editor)
	if rec.Code != http.StatusRequestEntityTooLarge || parameterOf(rec) != "body" {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// A token reads a draft by id, privately; without one the draft does not
// exist.
func TestDraftsReadWithATokenOnly(t *testing.T) {
	draft := geo.Incident{ID: "draft-1", Title: "Unchecked", Revision: 2}
	draft.Status = "draft"
	s := New(Config{Incidents: incidentShelf{}, Editor: newDesk(draft), Auth: deskTokens})
	if rec := get(t, s, "/collections/incidents/items/draft-1"); rec.Code != http.StatusNotFound {
		t.Errorf("without a token: %d", rec.Code)
	}
	rec := get(t, s, "/collections/incidents/items/draft-1", "Authorization", editor)
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"r2"` || rec.Header().Get("Cache-Control") != "private, no-cache" {
		t.Errorf("with a token: %d %v", rec.Code, rec.Header())
	}
}
