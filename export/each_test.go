package export

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"incidentmap/geo"
	"incidentmap/ingest"
	"incidentmap/internal/synth"
	"incidentmap/internal/testenv"
)

// seedIncidents are the 14 incidents of sql/seed/incidents.geojson.
func seedIncidents(t testing.TB) []geo.Incident {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.RepoRoot(t), "sql", "seed", "incidents.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // opened read-only: Close has nothing to report
	list, err := ingest.DecodeIncidents(f)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// synthIncidents are the first n synthetic incidents of seed 1.
func synthIncidents(n int) []geo.Incident {
	g := synth.New(1)
	out := make([]geo.Incident, n)
	for i := range out {
		out[i] = *g.Next()
	}
	return out
}

// eachOf yields the incidents of list.
func eachOf(list []geo.Incident) Each {
	return func(fn func(*geo.Incident) error) error {
		for i := range list {
			if err := fn(&list[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// writeFormat writes list in the format named name to a file of the
// test's and returns the file's path.
func writeFormat(t *testing.T, name string, list []geo.Incident) string {
	t.Helper()
	format, ok := Lookup(name)
	if !ok {
		t.Fatalf("no format %q", name)
	}
	path := filepath.Join(t.TempDir(), "incidents."+format.Extension)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // the Close below reports; this one only frees a file Write failed on
	if err := format.Write(context.Background(), f, eachOf(list), nil); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileIncident is a valid incident whose every text is built to break
// a document that does not escape it: CDATA and comment ends, markup,
// entities, quotes and control characters.
func hostileIncident() geo.Incident {
	in := synthIncidents(1)[0]
	in.ID = "hostile-1"
	in.Title = hostileText
	in.Summary = hostileText
	in.Location = hostileText
	in.Actors = []string{hostileText}
	in.Claims[0].Claimant = hostileText
	in.Claims[0].Statement = hostileText
	in.Claims[0].Source = `javascript:alert("claim")`
	in.Sources[0].Publisher = hostileText
	in.Sources[0].Title = hostileText
	in.Sources[0].URL = `https://example.invalid/a?b=1&c="><script>alert(2)</script>`
	return in
}

// hostileText is a title no document may be broken by.
const hostileText = `]]><!-- <script>alert("x")</script> & &amp; 'single' "double" -->` +
	"\x01\x0b tab\t end]]>"

// withoutControls is s with the characters XML 1.0 cannot hold replaced by
// U+FFFD, as encoding/xml writes them.
func withoutControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return '\uFFFD'
		}
		return r
	}, s)
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
