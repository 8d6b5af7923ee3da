package main

import (
	"regexp"
	"strings"

	"incidentmap/scripts/harness"
)

// loadHeader is the heading of the load test's own section.
var loadHeader = regexp.MustCompile(`^## Load test\s*$`)

// updateReport puts section in path in place of its "## Load test" section.
// A new section goes before the first "## N = " section of make bench,
// whose writer (scripts/bench) keeps what comes before its sections and
// rewrites each of them whole, so the load test's section survives it.
func updateReport(path, section string) error {
	return harness.UpdateSection(path, "# Benchmarks\n", section, loadHeader.MatchString,
		func(h string) bool { return strings.HasPrefix(h, "## N = ") })
}
