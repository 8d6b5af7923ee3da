// Package arrows holds the module's dependency arrows: which packages may not
// reach which, directly or through any chain of non-test imports. It has no
// code, only this test, which reads the import graph from `go list -deps`.
package arrows

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// A rule says that no package matching from (other than those matching one of
// except) may reach a package matching one of never. Patterns are import
// paths; a path ending in "/..." matches that package and every package below
// it, as with `go list`. To hold a new package, add a row (or a pattern to a
// row); every from pattern must match a package, so a renamed package fails
// the test instead of leaving its rule empty.
type rule struct {
	from   string
	except []string
	never  []string
	why    string
}

var rules = []rule{
	{
		from:  "incidentmap/server/...",
		never: []string{"incidentmap/store/...", "github.com/lib/pq/..."},
		why:   "server speaks HTTP against the interfaces it declares; storage is wired in by internal/cli",
	},
	{
		from: "incidentmap/geo/...",
		never: []string{
			"github.com/labstack/echo/v4/...", "github.com/lib/pq/...",
			"incidentmap/store/...", "incidentmap/server/...", "incidentmap/tiles/...",
		},
		why: "geo is the domain: no HTTP, no database, no tile index",
	},
	{
		from: "incidentmap/ingest/...",
		never: []string{
			"github.com/labstack/echo/v4/...", "github.com/lib/pq/...",
			"incidentmap/store/...", "incidentmap/server/...", "incidentmap/tiles/...",
		},
		why: "ingest reads files into the domain: the server and the commands hand it a reader and a gazetteer",
	},
	{
		from: "incidentmap/cql2/...",
		never: []string{
			"github.com/labstack/echo/v4/...", "github.com/lib/pq/...",
			"incidentmap/store/...", "incidentmap/server/...", "incidentmap/tiles/...",
		},
		why: "cql2 parses filters into a tree for the back ends: it knows geo and orb, nothing of HTTP, SQL drivers or the index",
	},
	{
		from: "incidentmap/export/...",
		never: []string{
			"github.com/labstack/echo/v4/...", "github.com/lib/pq/...",
			"incidentmap/store/...", "incidentmap/server/...", "incidentmap/tiles/...",
		},
		why: "export writes files from the incidents it is handed: the server hands them over, from the index or PostGIS",
	},
	{
		from: "incidentmap/publish/...",
		never: []string{
			"github.com/labstack/echo/v4/...", "github.com/lib/pq/...",
			"incidentmap/store/...", "incidentmap/server/...", "incidentmap/tiles/...",
		},
		why: "publish writes an archive from the incidents, tiles, style and assets internal/cli hands it through interfaces",
	},
	{
		from: "incidentmap/story/...",
		never: []string{
			"github.com/labstack/echo/v4/...", "github.com/lib/pq/...",
			"incidentmap/store/...", "incidentmap/server/...", "incidentmap/tiles/...",
		},
		why: "story writes captions and descriptions from the incidents it is handed: the server reads them through its interfaces",
	},
	{
		from:  "incidentmap/tiles/...",
		never: []string{"incidentmap/store/...", "incidentmap/server/..."},
		why:   "the tile index is fed by internal/cli and served by server through an interface",
	},
	{
		from:   "incidentmap/...",
		except: []string{"incidentmap", "incidentmap/internal/cli/...", "incidentmap/internal/testenv/testapp"},
		never:  []string{"incidentmap/internal/cli/..."},
		why:    "internal/cli wires the program together: only the root main.go and testapp (which runs it for tests) call it",
	},
}

// pkg is one package of `go list -deps -json`: its own non-test imports.
type pkg struct {
	ImportPath string
	Imports    []string
}

func TestArrows(t *testing.T) {
	graph := importGraph(t, "incidentmap/...")
	for _, r := range rules {
		matched := false
		for _, from := range slices.Sorted(maps.Keys(graph)) {
			if !match(r.from, from) || slices.ContainsFunc(r.except, func(p string) bool { return match(p, from) }) {
				continue
			}
			matched = true
			if chain := reach(graph, from, r.never); chain != nil {
				t.Errorf("%s must not reach %s (%s), but it does:\n\t%s",
					from, chain[len(chain)-1], r.why, strings.Join(chain, "\n\t  imports "))
			}
		}
		if !matched {
			t.Errorf("rule %q matches no package of the module: was the package renamed?", r.from)
		}
	}
}

// TestMatch pins the pattern rule the table relies on.
func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"incidentmap/store/...", "incidentmap/store", true},
		{"incidentmap/store/...", "incidentmap/store/storetest", true},
		{"incidentmap/store/...", "incidentmap/storefront", false},
		{"incidentmap/store", "incidentmap/store/storetest", false},
		{"incidentmap/...", "incidentmap", true},
	} {
		if got := match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

// importGraph returns the non-test imports of every package that the
// packages matching pattern reach, themselves included, keyed by import path.
func importGraph(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports", pattern)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	graph := map[string][]string{}
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		graph[p.ImportPath] = p.Imports
	}
	return graph
}

// reach returns the shortest import chain from one package to a package
// matching one of never, or nil when there is none.
func reach(graph map[string][]string, from string, never []string) []string {
	parent := map[string]string{from: ""}
	for queue := []string{from}; len(queue) > 0; queue = queue[1:] {
		p := queue[0]
		if p != from && slices.ContainsFunc(never, func(n string) bool { return match(n, p) }) {
			var chain []string
			for ; p != ""; p = parent[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, next := range graph[p] {
			if _, seen := parent[next]; !seen {
				parent[next] = p
				queue = append(queue, next)
			}
		}
	}
	return nil
}

// match reports whether an import path matches a pattern: the same path, or,
// for a pattern ending in "/...", that path or any path below it.
func match(pattern, path string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == prefix || strings.HasPrefix(path, prefix+"/")
	}
	return path == pattern
}
