package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/geo"
	"incidentmap/ingest"
)

// The fakes of the handler tests. Each implements one small interface
// whole, over a few values in memory, and embeds none: a method a test
// did not think of is a compile error, never a nil-pointer panic.

// quietLogger drops every line: for tests whose requests fail on purpose.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// incidentShelf is an IncidentReader over a few incidents, in order, each
// matching every filter; err, when not nil, fails every read.
type incidentShelf struct {
	list []geo.Incident
	err  error
}

func (s incidentShelf) DataVersion(context.Context) (int64, error) { return 1, s.err }

func (s incidentShelf) Incident(_ context.Context, id string) (geo.Incident, error) {
	if s.err != nil {
		return geo.Incident{}, s.err
	}
	for _, in := range s.list {
		if in.ID == id {
			return in, nil
		}
	}
	return geo.Incident{}, geo.NotFound("no incident with id %q", id)
}

func (s incidentShelf) Incidents(_ context.Context, _ geo.Filter, p geo.Page) ([]geo.Incident, error) {
	return s.page(p), s.err
}

func (s incidentShelf) IncidentsByID(ctx context.Context, ids []string) ([]geo.Incident, error) {
	var out []geo.Incident
	for _, id := range ids {
		if in, err := s.Incident(ctx, id); err == nil {
			out = append(out, in)
		}
	}
	return out, s.err
}

func (s incidentShelf) CountIncidents(context.Context, geo.Filter, int) (int, error) {
	return len(s.list), s.err
}

func (s incidentShelf) EachIncident(_ context.Context, _ geo.Filter, p geo.Page, fn func(geo.Incident) error) error {
	return eachOf(s.page(p), s.err, fn)
}

func (s incidentShelf) EachIncidentByID(ctx context.Context, ids []string, fn func(geo.Incident) error) error {
	list, err := s.IncidentsByID(ctx, ids)
	return eachOf(list, err, fn)
}

func (s incidentShelf) IncidentExtent(context.Context) (geo.Extent, error) {
	return geo.Extent{}, s.err
}

// page is page p of the list (p.Limit 0: all from p.Offset).
func (s incidentShelf) page(p geo.Page) []geo.Incident {
	list := s.list[min(p.Offset, len(s.list)):]
	if p.Limit > 0 && p.Limit < len(list) {
		list = list[:p.Limit]
	}
	return list
}

func eachOf(list []geo.Incident, err error, fn func(geo.Incident) error) error {
	if err != nil {
		return err
	}
	for _, in := range list {
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

// token is who a live token names, and what it may do.
type token struct{ name, scope string }

// tokens is an Authenticator of a few live tokens.
type tokens map[string]token

func (ts tokens) Authenticate(_ context.Context, t string) (string, string, error) {
	if tok, ok := ts[t]; ok {
		return tok.name, tok.scope, nil
	}
	return "", "", &geo.Error{Code: geo.EUnauthorized, Message: "unknown token"}
}

// deskTokens are the tokens of the editor "amadou-desk" (s3cret) and of
// the administrator "ops" (r00t).
var deskTokens = tokens{"s3cret": {"amadou-desk", scopeEditor}, "r00t": {"ops", scopeAdmin}}

// history is a HistoryReader of one incident's revisions (any id) and a
// change feed.
type history struct {
	revisions []geo.Revision
	changes   []geo.Change
}

func (h history) Revisions(_ context.Context, id string) ([]geo.Revision, error) {
	if len(h.revisions) == 0 {
		return nil, geo.NotFound("no incident with id %q", id)
	}
	return h.revisions, nil
}

func (h history) Changes(context.Context, int64, time.Time, int, bool) ([]geo.Change, error) {
	return h.changes, nil
}

// desk is an IncidentEditor over a map of incidents, keeping their
// revisions as the store does; it places every location at Moura.
type desk struct {
	mu        sync.Mutex
	incidents map[string]geo.Incident
	writes    []geo.Write // every write asked, in order
}

func newDesk(list ...geo.Incident) *desk {
	d := &desk{incidents: map[string]geo.Incident{}}
	for _, in := range list {
		d.incidents[in.ID] = in
	}
	return d
}

func (d *desk) IncidentForEditor(_ context.Context, id string) (geo.Incident, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, ok := d.incidents[id]
	if !ok {
		return geo.Incident{}, geo.NotFound("no incident with id %q", id)
	}
	return in, nil
}

func (d *desk) WriteIncident(_ context.Context, in *geo.Incident, w geo.Write) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes = append(d.writes, w)
	old, exists := d.incidents[in.ID]
	switch {
	case w.Create && exists:
		return 0, &geo.Error{Code: geo.EExists, Param: "id", Message: fmt.Sprintf("an incident %q exists already", in.ID)}
	case w.Replace && !exists:
		return 0, geo.NotFound("no incident with id %q", in.ID)
	case w.IfRevision > 0 && old.Revision != w.IfRevision:
		return 0, &geo.Error{Code: geo.EConflict, Message: fmt.Sprintf("the incident is at revision %d, not %d", old.Revision, w.IfRevision)}
	}
	in.Revision = old.Revision + 1
	d.incidents[in.ID] = *in
	return in.Revision, nil
}

func (d *desk) DeleteIncident(_ context.Context, id, author string, ifRevision int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes = append(d.writes, geo.Write{Author: author, IfRevision: ifRevision})
	old, ok := d.incidents[id]
	switch {
	case !ok:
		return geo.NotFound("no incident with id %q", id)
	case ifRevision > 0 && old.Revision != ifRevision:
		return &geo.Error{Code: geo.EConflict, Message: fmt.Sprintf("the incident is at revision %d, not %d", old.Revision, ifRevision)}
	}
	delete(d.incidents, id)
	return nil
}

func (d *desk) Geocode(_ context.Context, name, _, _ string) (geo.Place, error) {
	return geocodeMoura(name)
}

var mouraPoint = orb.Point{-4.58, 14.28}

// geocodeMoura knows one place, Moura.
func geocodeMoura(name string) (geo.Place, error) {
	if name != "Moura" {
		return geo.Place{}, &geo.Error{Code: geo.EUnprocessable, Param: "location", Message: fmt.Sprintf("no place named %q", name)}
	}
	return geo.Place{ID: "moura", Name: "Moura", Kind: "village", Country: "ML", Point: mouraPoint}, nil
}

// importCounter is an Importer that reads every incident of an import, as
// the real store does, and stores nothing.
type importCounter struct{}

func (importCounter) Geocode(_ context.Context, name, _, _ string) (geo.Place, error) {
	return geocodeMoura(name)
}

func (importCounter) Import(_ context.Context, r ingest.Reader, _ string, _ bool) (int, error) {
	n := 0
	for {
		if _, err := r.Next(); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return 0, err
		}
		n++
	}
}

// gazetteer is a PlaceReader over a few places, each matching every filter
// but bbox; placesErr, when not nil, fails Places.
type gazetteer struct {
	places    []geo.Place
	placesErr error
}

func (g gazetteer) DataVersion(context.Context) (int64, error) { return 1, nil }

func (g gazetteer) Place(_ context.Context, id string) (geo.Place, error) {
	for _, p := range g.places {
		if p.ID == id {
			return p, nil
		}
	}
	return geo.Place{}, geo.NotFound("no place with id %q", id)
}

func (g gazetteer) Places(_ context.Context, f geo.PlaceFilter, _ geo.Page) ([]geo.Place, int, error) {
	var out []geo.Place
	for _, p := range g.places {
		if f.BBox == nil || (p.Point[0] >= f.BBox.MinLon && p.Point[0] <= f.BBox.MaxLon && p.Point[1] >= f.BBox.MinLat && p.Point[1] <= f.BBox.MaxLat) {
			out = append(out, p)
		}
	}
	return out, len(out), g.placesErr
}

func (g gazetteer) PlaceExtent(context.Context) (geo.Extent, error) { return geo.Extent{}, nil }
