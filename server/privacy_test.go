package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"

	"incidentmap/geo"
)

// The public sees who wrote a revision as a role; the token's name, or the
// operator's file path, only with a token.
func TestRevisionsNameNoTokenToThePublic(t *testing.T) {
	s := New(Config{History: deskHistory, Auth: deskTokens})
	const path = "/collections/incidents/items/moura-2022-03/revisions"
	authors := func(rec *httptest.ResponseRecorder) []string {
		var body struct{ Revisions []geo.Revision }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var out []string
		for _, r := range body.Revisions {
			out = append(out, r.Author)
		}
		return out
	}
	anonymous := get(t, s, path)
	if got, want := strings.Join(authors(anonymous), ","), "seed,editor,import,import"; got != want {
		t.Errorf("anonymous authors %q, want %q", got, want)
	}
	if strings.Contains(anonymous.Body.String(), "amadou") || strings.Contains(anonymous.Body.String(), "/home/") {
		t.Errorf("the public answer names the token or a path: %s", anonymous.Body)
	}
	editor := get(t, s, path, "Authorization", "Bearer s3cret")
	if got := authors(editor); got[1] != "amadou-desk" {
		t.Errorf("with a token, authors %q", got)
	}
	if feed := get(t, s, "/changes?since=0"); strings.Contains(feed.Body.String(), "amadou") || feed.Code != http.StatusOK {
		t.Errorf("/changes: %d %s", feed.Code, feed.Body)
	}
}

// What PostgreSQL said reaches the log, under the request id, and never
// the answer.
func TestDatabaseWordsStayInTheLog(t *testing.T) {
	var log strings.Builder
	pqErr := &pq.Error{Code: "22008", Message: `date/time field value out of range: "secret_internal_column"`}
	cause := &geo.Error{Code: geo.EInvalid, Param: "starts_at", Message: "the value is out of range", Cause: pqErr}
	s := New(Config{Incidents: incidentShelf{err: cause}, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	rec := get(t, s, "/collections/incidents/items/x")
	if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "secret_internal") ||
		!strings.Contains(rec.Body.String(), `"parameter":"starts_at"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	id := rec.Header().Get("X-Request-Id")
	if !strings.Contains(log.String(), "secret_internal") || !strings.Contains(log.String(), id) {
		t.Errorf("the log lacks the cause or the request id %q:\n%s", id, log.String())
	}
}

// Clients invent methods; the metrics count them all as one label value.
func TestMetricsLabelsAreBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := New(Config{Metrics: reg})
	for _, m := range []string{"FOO1", "FOO2", "PROPFIND", "BREW"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(m, "/", nil))
	}
	get(t, s, "/no/such/route/"+strings.Repeat("x", 20))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range families {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				v := l.GetValue()
				if strings.HasPrefix(v, "FOO") || v == "PROPFIND" || v == "BREW" || strings.Contains(v, "xxxx") {
					t.Errorf("%s has label %s=%q", fam.GetName(), l.GetName(), v)
				}
			}
		}
	}
}

// Links come from INCIDENTMAP_PUBLIC_URL when it is set, whatever Host says;
// without it they come from Host, and the answer says Vary: Host.
func TestLinksAndHost(t *testing.T) {
	derived := New(Config{Tiles: indexTiles{}})
	rec := get(t, derived, "/tiles.json")
	if !hasVary(rec.Header(), "Host") {
		t.Errorf("/tiles.json with links from Host: Vary %q", rec.Header().Values("Vary"))
	}
	rec = get(t, derived, "/tiles.json", "X-Forwarded-Proto", "javascript")
	if strings.Contains(rec.Body.String(), "javascript:") {
		t.Errorf("a forged scheme reached a link: %s", rec.Body)
	}
	public := New(Config{Tiles: indexTiles{}, PublicURL: "https://maps.example.org"})
	req := httptest.NewRequest(http.MethodGet, "/tiles.json", nil)
	req.Host = "evil.example"
	rec = httptest.NewRecorder()
	public.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if strings.Contains(string(body), "evil.example") || !strings.Contains(string(body), "https://maps.example.org/tiles/") {
		t.Errorf("with a public URL, links follow Host: %s", body)
	}
	if hasVary(rec.Header(), "Host") {
		t.Errorf("with a public URL, Vary %q", rec.Header().Values("Vary"))
	}
}

// An empty page of the feed asked by instant points at the same instant,
// not at the start of the log.
func TestEmptyChangesPageResumesWhereItWas(t *testing.T) {
	s := New(Config{History: history{}})
	rec := get(t, s, "/changes?since=2026-01-01T00:00:00Z")
	if !strings.Contains(rec.Body.String(), "since=2026-01-01T00%3A00%3A00Z") {
		t.Errorf("%s", rec.Body)
	}
}
