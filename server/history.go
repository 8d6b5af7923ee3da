package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// HistoryReader reads the log of writes: each incident's versions, and the
// change feed.
type HistoryReader interface {
	// Revisions lists every version of an incident, oldest first
	// (ENotFound when there is none).
	Revisions(ctx context.Context, id string) ([]geo.Revision, error)
	// Changes lists up to limit writes after change number since (or at
	// and after instant at when it is not zero), oldest first; all
	// includes never-published incidents.
	Changes(ctx context.Context, since int64, at time.Time, limit int, all bool) ([]geo.Change, error)
}

// revisions answers /collections/incidents/items/{id}/revisions: every
// version of the incident, with who wrote it, when, and what changed.
func (s *Server) revisions(c echo.Context) error {
	if c.Param("collection") != "incidents" {
		if _, err := s.findCollection(c.Param("collection")); err != nil {
			return err
		}
		return geo.NotFound("places have no revisions")
	}
	if err := checkParams(c.QueryParams(), nil); err != nil {
		return err
	}
	authenticated, err := s.optionalToken(c)
	if err != nil {
		return err
	}
	list, err := s.history.Revisions(c.Request().Context(), c.Param("fid"))
	if err != nil {
		return err
	}
	if !authenticated {
		if list = publicRevisions(list); len(list) == 0 {
			return geo.NotFound("no incident with id %q", c.Param("fid"))
		}
	}
	type revisionJSON struct {
		geo.Revision
		Changes json.RawMessage `json:"changes"`
	}
	out := make([]revisionJSON, len(list))
	for i, r := range list {
		out[i] = revisionJSON{Revision: r, Changes: r.Changes}
		if len(r.Changes) == 0 {
			out[i].Changes = json.RawMessage("null")
		}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{"id": c.Param("fid"), "revisions": out})
}

// maxChanges is the page size of the change feed.
const maxChanges = 1000

// changes answers /changes?since=SEQ (or an RFC 3339 instant): incidents
// created, updated and deleted, oldest first, with a next link to resume.
func (s *Server) changes(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, []string{"since", "limit"}); err != nil {
		return err
	}
	var since int64
	var at time.Time
	if v := q.Get("since"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			since = n
		} else if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			at = t
		} else if t, err := time.Parse(time.DateOnly, v); err == nil {
			at = t
		} else {
			return geo.Invalid("since", "%q is neither a change number nor an RFC 3339 instant", safe(v))
		}
	}
	limit := maxChanges
	if q.Has("limit") {
		n, err := parseInt(q.Get("limit"), "limit", 1, 1<<31-1)
		if err != nil {
			return err
		}
		limit = min(n, maxChanges)
	}
	authenticated, err := s.optionalToken(c)
	if err != nil {
		return err
	}
	list, err := s.history.Changes(c.Request().Context(), since, at, limit, authenticated)
	if err != nil {
		return err
	}
	// Resume after the last change listed; with none, ask the same again
	// (an instant stays an instant: "since=0" would replay the whole log).
	next := q.Get("since")
	if len(list) > 0 {
		next = strconv.FormatInt(list[len(list)-1].Seq, 10)
	} else if next == "" {
		next = "0"
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{
		"changes": list,
		"links": []link{{Href: s.baseURL(c) + "/changes?since=" + url.QueryEscape(next), Rel: "next",
			Type: mediaJSON, Title: "Changes after these"}},
	})
}

// publicRevisions keeps what the public may see of a history: the published
// versions and the deletions, each with what changed only when the version
// before it was published too (a draft's content stays private), and each
// author as a role (publicAuthor), never a token's name.
func publicRevisions(all []geo.Revision) []geo.Revision {
	var out []geo.Revision
	published := false
	for i, r := range all {
		published = published || r.Status == geo.StatusPublished
		if r.Status != geo.StatusPublished && r.Op != "delete" {
			continue
		}
		if i == 0 || all[i-1].Status != geo.StatusPublished {
			r.Changes = nil
		}
		r.Author = publicAuthor(r.Author)
		out = append(out, r)
	}
	if !published {
		return nil // never published: not even its id is public
	}
	return out
}

// publicAuthor is the role of an author as the public sees it: "seed" for
// the bundled data, "import" for bulk imports (the CLI's author names a file
// of the operator's machine, POST /import's names a token), "editor" for a
// write through the API (whose author is a token's name).
func publicAuthor(author string) string {
	switch {
	case author == "seed":
		return "seed"
	case strings.HasPrefix(author, "import "), strings.HasPrefix(author, "POST /import"):
		return "import"
	}
	return "editor"
}
