package server

import (
	"net/http"
	"reflect"
	"testing"
)

// A server built without its data dependencies answers every route
// without failing: what needs a missing one is 404 or 405, the rest works.
func TestMissingDependenciesPanicNoHandler(t *testing.T) {
	s := New(Config{Logger: quietLogger()})
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/", http.StatusOK},
		{"GET", "/conformance", http.StatusOK},
		{"GET", "/api", http.StatusOK},
		{"GET", "/collections", http.StatusOK},
		{"GET", "/collections/incidents", http.StatusNotFound},
		{"GET", "/collections/incidents/items", http.StatusNotFound},
		{"GET", "/collections/places/items/moura", http.StatusNotFound},
		{"GET", "/collections/incidents/items/x/revisions", http.StatusNotFound},
		{"GET", "/changes", http.StatusNotFound},
		{"POST", "/collections/incidents/items", http.StatusMethodNotAllowed},
		{"DELETE", "/collections/incidents/items/x", http.StatusMethodNotAllowed},
		{"POST", "/import", http.StatusNotFound},
		{"GET", "/tiles/0/0/0.mvt", http.StatusNotFound},
		{"GET", "/map.png", http.StatusNotFound},
		{"GET", "/embed?bbox=-5,14,-4,15", http.StatusNotFound}, // the embed page is not built
		{"GET", "/healthz", http.StatusOK},
		{"GET", "/readyz", http.StatusOK},
		{"GET", "/metrics", http.StatusOK},
	} {
		if rec := send(s, tc.method, tc.target, "", "Authorization", editor); rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.target, rec.Code, tc.status, rec.Body)
		}
	}
}

// Every dependency New takes is a small interface: at most 8 methods, so
// that a handler depends on what it uses and a fake is short.
func TestDependenciesStaySmall(t *testing.T) {
	cfg := reflect.TypeFor[Config]()
	for i := range cfg.NumField() {
		f := cfg.Field(i)
		if f.Type.Kind() == reflect.Interface {
			if f.Type.NumMethod() > 8 {
				t.Errorf("Config.%s is a %v of %d methods: split it", f.Name, f.Type, f.Type.NumMethod())
			}
		}
	}
}
