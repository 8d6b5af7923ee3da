package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"incidentmap/scripts/harness"
)

// writeSequence is what one write sequence sends: a new test incident
// (POST), an edit of its title (PATCH with the ETag of the POST), its
// deletion (DELETE with the ETag of the PATCH). Each step runs only when
// the one before succeeded, so the runner calls next with the answer.
type writeSequence struct {
	w    *workload
	id   string
	step int
}

// newWriteSequence starts the sequence of a new test incident, whose id no
// other sequence of the run uses.
func (w *workload) newWriteSequence() *writeSequence {
	return &writeSequence{w: w, id: fmt.Sprintf("%s-%d", w.runID, w.writes.Add(1))}
}

// next returns the next request, or false when the sequence is over. status
// and etag are the answer to the previous request (ignored on the first).
func (s *writeSequence) next(r *rand.Rand, status int, etag string) (request, bool) {
	defer func() { s.step++ }()
	switch s.step {
	case 0:
		return s.w.authorized(kindPost, http.MethodPost, "/collections/incidents/items", s.feature(r), ""), true
	case 1:
		if status != http.StatusCreated {
			return request{}, false
		}
		patch := []byte(`{"properties": {"title": "Load test incident ` + s.id + ` (edited)"}}`)
		return s.w.authorized(kindPatch, http.MethodPatch, s.path(), patch, etag), true
	case 2:
		if status != http.StatusOK {
			return request{}, false
		}
		return s.w.authorized(kindDelete, http.MethodDelete, s.path(), nil, etag), true
	}
	return request{}, false
}

func (s *writeSequence) path() string {
	return "/collections/incidents/items/" + url.PathEscape(s.id)
}

// feature is a published test incident near a town, on a day of 2022,
// with one claim and one source.
func (s *writeSequence) feature(r *rand.Rand) []byte {
	t := harness.RandomTown(r)
	day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
	f := map[string]any{
		"type": "Feature", "id": s.id,
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{
			t[0] + (r.Float64()-0.5)*0.2, t[1] + (r.Float64()-0.5)*0.2}},
		"properties": map[string]any{
			"title": "Load test incident " + s.id, "summary": "Written by scripts/loadtest; deleted at once.",
			"event_type": "battles", "sub_event_type": "armed_clash", "country": "ML", "geo_precision": "near",
			"starts_at": day.Format(time.RFC3339), "ends_at": day.Add(24*time.Hour - time.Second).Format(time.RFC3339),
			"date_precision": "day", "fatalities_best": 2, "actors": []string{"Load test actor"},
			"claims": []map[string]any{{"claimant": "Load test", "fatalities_low": 2, "fatalities_high": 2,
				"statement": "Two killed (load test).", "source": "https://example.invalid/loadtest"}},
			"sources": []map[string]any{{"url": "https://example.invalid/loadtest", "publisher": "Load test", "language": "en"}},
		},
	}
	b, _ := json.Marshal(f)
	return b
}

func (w *workload) authorized(kind, method, path string, body []byte, ifMatch string) request {
	h := http.Header{"Authorization": {"Bearer " + w.token}}
	if body != nil {
		h.Set("Content-Type", "application/geo+json")
	}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	return request{kind: kind, method: method, path: path, body: body, header: h}
}
