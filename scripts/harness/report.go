package harness

import (
	"os"
	"slices"
	"strings"
)

// UpdateSection writes section into the markdown report at path, in place
// of the first "## " section whose heading line same matches; when none
// does, before the first one whose heading line before matches, or else at
// the end. A missing or empty report starts as intro. Everything else,
// sections other tools write included, is kept; the parts are separated by
// one blank line and the file ends with one newline.
func UpdateSection(path, intro, section string, same, before func(heading string) bool) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	if text == "" {
		text = intro
	}
	parts := splitSections(text)
	at, replace := len(parts), false
	for i, p := range parts {
		heading, _, _ := strings.Cut(p, "\n")
		if !strings.HasPrefix(heading, "## ") {
			continue
		}
		if same(heading) {
			at, replace = i, true
			break
		}
		if before(heading) && at == len(parts) {
			at = i
		}
	}
	if replace {
		parts[at] = section
	} else {
		parts = slices.Insert(parts, at, section)
	}
	for i := range parts {
		parts[i] = strings.TrimRight(parts[i], "\n") + "\n"
	}
	return os.WriteFile(path, []byte(strings.Join(parts, "\n")), 0o644)
}

// splitSections cuts markdown at its "## " headings: the text before the
// first one, then one part per section.
func splitSections(text string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(text); {
		end := strings.IndexByte(text[i:], '\n')
		if end < 0 {
			end = len(text) - i - 1
		}
		if strings.HasPrefix(text[i:], "## ") && i > start {
			parts = append(parts, text[start:i])
			start = i
		}
		i += end + 1
	}
	return append(parts, text[start:])
}
