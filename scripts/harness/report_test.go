package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewrite runs UpdateSection on a file holding before ("" for none) and
// returns what it wrote.
func rewrite(t *testing.T, before, intro, section string, same, insertBefore func(string) bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.md")
	if before != "" {
		if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := UpdateSection(path, intro, section, same, insertBefore); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	return string(got)
}

func TestUpdateSectionReplacesInsertsOrAppends(t *testing.T) {
	const before = "# Report\n\nIntro.\n\n## A\n\nOld A.\n\n## C\n\nC.\n"
	is := func(name string) func(string) bool { return func(h string) bool { return h == "## "+name } }
	tests := []struct {
		name, section string
		same, before  func(string) bool
		want          string
	}{
		{"replaces the matching section in place", "## A\n\nNew A.\n", is("A"), is("C"),
			"# Report\n\nIntro.\n\n## A\n\nNew A.\n\n## C\n\nC.\n"},
		{"inserts before the first that before matches", "## B\n\nB.\n", is("B"), is("C"),
			"# Report\n\nIntro.\n\n## A\n\nOld A.\n\n## B\n\nB.\n\n## C\n\nC.\n"},
		{"appends when nothing matches", "## D\n\nD.\n\n\n", is("D"), is("E"),
			before + "\n## D\n\nD.\n"},
	}
	for _, tt := range tests {
		if got := rewrite(t, before, "unused\n", tt.section, tt.same, tt.before); got != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestUpdateSectionStartsFromIntro(t *testing.T) {
	never := func(string) bool { return false }
	if got, want := rewrite(t, "", "# Report\n", "## A\n\nA.", never, never), "# Report\n\n## A\n\nA.\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSplitSectionsCutsAtLevelTwoHeadings(t *testing.T) {
	got := splitSections("# T\n\n## A\n### a\n## B\nb")
	if want := []string{"# T\n\n", "## A\n### a\n", "## B\nb"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}
