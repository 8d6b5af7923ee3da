package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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

func TestReplaceWarmChangesOnlyTheWarmFigures(t *testing.T) {
	const section = "## N = 5 synthetic incidents\n\nRun then.\n\n| figure | measured | target | met | |\n|---|---|---|---|---|\n" +
		"| cold p99 | 5 ms | ≤ 50 ms | yes | |\n| " + warmRowName + " | 81% | ≥ 70% | yes | old |\n| server RSS | 1 MB | ≤ 1 GB | yes | |\n\n" +
		"### (a) Cold tiles through the server\n\nCold.\n\n" + warmHeading + "\n\nOld warm.\n"
	rows := []string{"| " + warmRowName + ", gzip | 0.90 | ≥ 0.8 | yes | new |", "| " + warmRowName + ", identity | 0.60 | ≥ 0.5 | yes | new |"}
	got := replaceWarm(section, rows, warmHeading+"\n\nNew warm.\n")
	want := "## N = 5 synthetic incidents\n\nRun then.\n\n| figure | measured | target | met | |\n|---|---|---|---|---|\n" +
		"| cold p99 | 5 ms | ≤ 50 ms | yes | |\n" + rows[0] + "\n" + rows[1] + "\n| server RSS | 1 MB | ≤ 1 GB | yes | |\n\n" +
		"### (a) Cold tiles through the server\n\nCold.\n\n" + warmHeading + "\n\nNew warm.\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if again := replaceWarm(got, rows, warmHeading+"\n\nNew warm.\n"); again != want {
		t.Errorf("a second replacement changed the section:\n%s", again)
	}

	t.Run("a section without warm figures gets them after its table and at its end", func(t *testing.T) {
		const bare = "## N = 5 synthetic incidents\n\n| figure | measured | target | met | |\n|---|---|---|---|---|\n| cold p99 | 5 ms | ≤ 50 ms | yes | |\n\nText.\n"
		got := replaceWarm(bare, rows[:1], warmHeading+"\n\nNew warm.\n")
		want := "## N = 5 synthetic incidents\n\n| figure | measured | target | met | |\n|---|---|---|---|---|\n| cold p99 | 5 ms | ≤ 50 ms | yes | |\n" +
			rows[0] + "\n\nText.\n\n" + warmHeading + "\n\nNew warm.\n"
		if got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
}

func TestFindSectionStopsAtTheNextSection(t *testing.T) {
	text := "# B\n\n## N = 5 synthetic incidents\n\nFive.\n\n## N = 50 synthetic incidents\n\nFifty.\n"
	got, ok := findSection(text, "## N = 5 synthetic incidents")
	if !ok || got != "## N = 5 synthetic incidents\n\nFive.\n\n" {
		t.Errorf("got %q, %v", got, ok)
	}
	if _, ok := findSection(text, "## N = 500 synthetic incidents"); ok {
		t.Error("found a section that is not there")
	}
}

func TestWrkScriptCyclesThroughThePaths(t *testing.T) {
	script := wrkScript([]string{"/tiles/3/1/2.mvt?datetime=2012-01-01/2026-12-31", `/odd"path`})
	for _, want := range []string{`"/tiles/3/1/2.mvt?datetime=2012-01-01/2026-12-31",`, `"/odd\"path",`, "i = i % #paths + 1", wrkResultPrefix} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %s:\n%s", want, script)
		}
	}
	f, err := parseWrk("Running 5s test\n" + wrkResultPrefix + `{"requests":10,"duration_us":5000000,"bytes":300,"errors":1,"non2xx":2,"p50_us":900,"p99_us":4000}` + "\n")
	if err != nil || f.Requests != 10 || f.DurationUS != 5000000 || f.Non2xx != 2 || f.P99US != 4000 {
		t.Errorf("parsed %+v, %v", f, err)
	}
}

func TestWarmRatioIsTheMedianOfEachRoundsRatio(t *testing.T) {
	run := func(target string, round int, perSecond float64) wrkRun {
		return wrkRun{target: target, round: round, gzip: true, requests: int64(perSecond), elapsed: time.Second}
	}
	w := warmResult{runs: []wrkRun{
		run(targetWarm, 1, 900), run(targetBare, 1, 1000), // 0.9
		run(targetBare, 2, 2000), run(targetWarm, 2, 1000), // 0.5: the machine was busy for the warm run
		run(targetWarm, 3, 400), run(targetBare, 3, 500), // 0.8
	}}
	if got := w.ratio(true); got != 0.8 {
		t.Errorf("ratio %v, want 0.8 (the median of 0.9, 0.5 and 0.8)", got)
	}
	if got := w.ratio(false); got != 0 {
		t.Errorf("ratio of an encoding not measured: %v", got)
	}
}

func TestReplacePartOfCQLKeepsTheWarmFigures(t *testing.T) {
	const section = "## N = 5 synthetic incidents\n\n| figure | measured | target | met | |\n|---|---|---|---|---|\n" +
		"| " + warmRowName + ", gzip | 0.90 | ≥ 0.8 | yes | |\n| " + cqlRowName + "items p99 | 9 ms | ≤ 50 ms | yes | old |\n\n" +
		warmHeading + "\n\nWarm.\n\n" + cqlHeading + "\n\nOld CQL.\n"
	row := "| " + cqlRowName + "items p99 | 8 ms | ≤ 50 ms | yes | new |"
	got := replacePart(section, cqlRowName, cqlHeading, []string{row}, cqlHeading+"\n\nNew CQL.\n")
	want := "## N = 5 synthetic incidents\n\n| figure | measured | target | met | |\n|---|---|---|---|---|\n" +
		"| " + warmRowName + ", gzip | 0.90 | ≥ 0.8 | yes | |\n" + row + "\n\n" +
		warmHeading + "\n\nWarm.\n\n" + cqlHeading + "\n\nNew CQL.\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
