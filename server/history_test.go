package server

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"incidentmap/geo"
)

// deskHistory is one incident's history, written by a token named
// "amadou-desk", and a change feed.
var deskHistory = func() history {
	at := time.Date(2022, 4, 2, 0, 0, 0, 0, time.UTC)
	return history{revisions: []geo.Revision{
		{Revision: 1, Op: "create", Author: "seed", From: at, Status: geo.StatusPublished},
		{Revision: 2, Op: "update", Author: "amadou-desk", From: at.Add(time.Hour), Status: geo.StatusPublished},
		{Revision: 3, Op: "update", Author: "POST /import by amadou-desk", From: at.Add(2 * time.Hour), Status: geo.StatusPublished},
		{Revision: 4, Op: "update", Author: "import /home/ops/acled-2022.csv", From: at.Add(3 * time.Hour), Status: geo.StatusPublished},
	}, changes: []geo.Change{{Seq: 7, IncidentID: "moura-2022-03", Op: "update", At: at}}}
}()

// What the public sees of a history: published versions and deletions,
// changes only between two published versions, authors as roles; nothing
// of an incident never published.
func TestPublicRevisions(t *testing.T) {
	at := time.Date(2022, 4, 2, 0, 0, 0, 0, time.UTC)
	rev := func(n int, op, author, status string) geo.Revision {
		return geo.Revision{Revision: n, Op: op, Author: author, From: at.Add(time.Duration(n) * time.Hour),
			Status: status, Changes: json.RawMessage(`{"title":"T` + string(rune('0'+n)) + `"}`)}
	}
	type seen struct {
		revision   int
		author     string
		hasChanges bool
	}
	for _, tc := range []struct {
		name string
		all  []geo.Revision
		want []seen // nil: the incident is not public
	}{
		{name: "roles of each kind of author", all: []geo.Revision{
			rev(1, "create", "seed", "published"),
			rev(2, "update", "amadou-desk", "published"),
			rev(3, "update", "POST /import by amadou-desk", "published"),
			rev(4, "update", "import /home/ops/acled-2022.csv", "published"),
		}, want: []seen{{1, "seed", false}, {2, "editor", true}, {3, "import", true}, {4, "import", true}}},
		{name: "a draft's version is left out, and the next one's changes", all: []geo.Revision{
			rev(1, "create", "desk", "published"),
			rev(2, "update", "desk", "draft"),
			rev(3, "update", "desk", "published"),
		}, want: []seen{{1, "editor", false}, {3, "editor", false}}},
		{name: "a deletion shows, with its changes", all: []geo.Revision{
			rev(1, "create", "seed", "published"),
			rev(2, "delete", "desk", ""),
		}, want: []seen{{1, "seed", false}, {2, "editor", true}}},
		{name: "never published", all: []geo.Revision{
			rev(1, "create", "desk", "draft"),
			rev(2, "delete", "desk", ""),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []seen
			for _, r := range publicRevisions(tc.all) {
				got = append(got, seen{r.Revision, r.Author, r.Changes != nil})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("revision %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// The history of an incident never published is 404 to the public and
// readable with a token; places have none; an unknown collection is 404.
func TestRevisionsRoute(t *testing.T) {
	drafted := history{revisions: []geo.Revision{{Revision: 1, Op: "create", Author: "desk", Status: "draft"}}}
	s := New(Config{History: drafted, Auth: deskTokens, Incidents: incidentShelf{}, Places: gazetteer{}})
	for _, tc := range []struct {
		name, target string
		header       []string
		status       int
	}{
		{"a draft, to the public", "/collections/incidents/items/d/revisions", nil, http.StatusNotFound},
		{"a draft, with a token", "/collections/incidents/items/d/revisions", []string{"Authorization", editor}, http.StatusOK},
		{"a wrong token", "/collections/incidents/items/d/revisions", []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized},
		{"a place", "/collections/places/items/moura/revisions", nil, http.StatusNotFound},
		{"no such collection", "/collections/wells/items/w/revisions", nil, http.StatusNotFound},
		{"a parameter", "/collections/incidents/items/d/revisions?f=json", nil, http.StatusBadRequest},
	} {
		if rec := get(t, s, tc.target, tc.header...); rec.Code != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, rec.Code, tc.status, rec.Body)
		}
	}
}

// The change feed reads since as a change number or an instant, and limit
// within its bounds; anything else is 400 naming the parameter.
func TestChangesParameters(t *testing.T) {
	s := New(Config{History: deskHistory})
	for _, tc := range []struct {
		query, param string // param "": 200
	}{
		{"", ""},
		{"since=12", ""},
		{"since=2022-04-02", ""},
		{"since=2022-04-02T10:00:00.5Z", ""},
		{"since=-1", "since"},
		{"since=yesterday", "since"},
		{"limit=0", "limit"},
		{"limit=5000", ""},
		{"cursor=3", "cursor"},
	} {
		rec := get(t, s, "/changes?"+tc.query)
		if want := map[bool]int{true: http.StatusOK, false: http.StatusBadRequest}[tc.param == ""]; rec.Code != want || parameterOf(rec) != tc.param {
			t.Errorf("%q: %d, parameter %q; want %d, %q", tc.query, rec.Code, parameterOf(rec), want, tc.param)
		}
	}
	var feed struct{ Links []link }
	_ = json.Unmarshal(get(t, s, "/changes?since=3").Body.Bytes(), &feed)
	if len(feed.Links) != 1 || feed.Links[0].Href != "http://example.com/changes?since=7" {
		t.Errorf("next link after change 7: %+v", feed.Links)
	}
}
