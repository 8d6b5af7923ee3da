package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestUpdateReportKeepsOtherSections(t *testing.T) {
	const before = "# Benchmarks\n\nIntro.\n\n## Load test\n\nTheirs.\n\n## N = 1,000,000 synthetic incidents\n\nOld 1M.\n\n## Other\n\nAlso theirs.\n"
	tests := []struct {
		name    string
		n       int
		section string
		want    string
	}{
		{"replaces its own section in place", 1000000, "## N = 1,000,000 synthetic incidents\n\nNew 1M.\n",
			"# Benchmarks\n\nIntro.\n\n## Load test\n\nTheirs.\n\n## N = 1,000,000 synthetic incidents\n\nNew 1M.\n\n## Other\n\nAlso theirs.\n"},
		{"adds a smaller N before the larger", 100000, "## N = 100,000 synthetic incidents\n\n100k.\n",
			"# Benchmarks\n\nIntro.\n\n## Load test\n\nTheirs.\n\n## N = 100,000 synthetic incidents\n\n100k.\n\n## N = 1,000,000 synthetic incidents\n\nOld 1M.\n\n## Other\n\nAlso theirs.\n"},
		{"adds a larger N at the end", 10000000, "## N = 10,000,000 synthetic incidents\n\n10M.\n",
			before + "\n## N = 10,000,000 synthetic incidents\n\n10M.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
			if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := updateReport(path, tt.n, tt.section); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestUpdateReportStartsAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := updateReport(path, 5, "## N = 5 synthetic incidents\n\nFive.\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := reportIntro + "\n## N = 5 synthetic incidents\n\nFive.\n"; string(got) != want {
		t.Errorf("new report:\n%s\nwant:\n%s", got, want)
	}
}

func TestRandomTilesStayInThePyramidAndTheYears(t *testing.T) {
	plan := make(map[string]bool)
	for i := range 2000 {
		tile := randomTile(newRand(uint64(i)))
		n := 1 << tile.z
		if tile.z < 3 || tile.z > 14 || tile.x < 0 || tile.x >= n || tile.y < 0 || tile.y >= n {
			t.Fatalf("tile %s outside the pyramid", tile)
		}
		if tile.start.Before(firstDay) || tile.end.After(lastDay) || tile.end.Before(tile.start) ||
			tile.end.Sub(tile.start) > 3652*24*time.Hour {
			t.Fatalf("window %s outside 2012-2026 or longer than 10 years", tile.window())
		}
		plan[tile.path()] = true
	}
	if len(plan) < 1990 {
		t.Errorf("only %d distinct tiles in 2000", len(plan))
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }
