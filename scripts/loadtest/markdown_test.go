package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUpdateReportPlacesTheLoadTestSection(t *testing.T) {
	const bench = "## N = 100,000 synthetic incidents\n\nA.\n"
	tests := []struct{ name, before, want string }{
		{"starts a report", "", "# Benchmarks\n\n## Load test\n\nNew.\n"},
		{"goes before make bench's sections", "# Benchmarks\n\nIntro.\n\n" + bench,
			"# Benchmarks\n\nIntro.\n\n## Load test\n\nNew.\n\n" + bench},
		{"replaces its own section in place", "# Benchmarks\n\n## Load test \n\nOld.\n\n### Graceful shutdown\n\nOld.\n\n" + bench,
			"# Benchmarks\n\n## Load test\n\nNew.\n\n" + bench},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
			if tt.before != "" {
				if err := os.WriteFile(path, []byte(tt.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := updateReport(path, "## Load test\n\nNew.\n"); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
