package main

import (
	"os"
	"regexp"
	"strings"
)

// Level-2 headers: the load test's own, and any (the end of a section).
var (
	loadHeader = regexp.MustCompile(`(?m)^## Load test\s*$`)
	anyHeader  = regexp.MustCompile(`(?m)^## `)
	benchN     = regexp.MustCompile(`(?m)^## N = `)
)

// updateReport puts section in path in place of its "## Load test" section.
// A new section goes before the first "## N = " section of make bench,
// whose writer (scripts/bench) keeps what comes before its sections and
// rewrites each of them whole, so the load test's section survives it.
func updateReport(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	if text == "" {
		text = "# Benchmarks\n"
	}
	section = strings.TrimRight(section, "\n") + "\n\n"
	if loc := loadHeader.FindStringIndex(text); loc != nil {
		end := len(text)
		if next := anyHeader.FindStringIndex(text[loc[1]:]); next != nil {
			end = loc[1] + next[0]
		}
		text = text[:loc[0]] + section + text[end:]
	} else if loc := benchN.FindStringIndex(text); loc != nil {
		text = text[:loc[0]] + section + text[loc[0]:]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(strings.TrimRight(text, "\n")+"\n"), 0o644)
}
