package main

import (
	"strings"
	"testing"
	"time"
)

// The report of a run beside the abuser names its three targets, tells
// the abuser's statuses per kind, and counts a 5xx of the normal mix as a
// fault (the abuser's refusals are not).
func TestAbuseReport(t *testing.T) {
	normal := newTally()
	for range 99 {
		normal.add(outcome{kind: kindTile, status: 200, end: time.Now()})
	}
	normal.add(outcome{kind: kindTile, status: 503, end: time.Now()})
	refused := newTally()
	refused.add(outcome{kind: abuseTile, status: 503})
	refused.add(outcome{kind: abuseTile, status: 429})
	r := &report{cfg: config{duration: 10 * time.Second, abuseRate: 500},
		shutdown: shutdownResult{}, abused: &loadResult{rate: 500, elapsed: 10 * time.Second, kinds: map[string]*tally{kindTile: normal}},
		abuse: abuseResult{kinds: map[string]*tally{abuseTile: refused}, unfinished: map[string]int{abuseLimit: 2}}}
	md := r.markdown()
	for _, want := range []string{
		"| beside the abuser, at 500 reads a second: p99 of the normal mix ≤ 100 ms |",
		"| beside the abuser: no 5xx in the normal mix (nor any error status) | 1 5xx, 1 error statuses | **no** |",
		"| the abuser is refused (429 per client, 503 server-wide) | 429: 1, 503: 1 | yes |",
		"| " + abuseTile + " | 2 | 429: 1, 503: 1 | 0 |",
		"| " + abuseLimit + " | 2 | none | 2 |",
		"Only 100 of the 5,000 reads due were sent",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	if f := strings.Join(r.abuseFaults(), "; "); !strings.Contains(f, "1 error statuses in the normal mix beside the abuser") {
		t.Errorf("faults %q", f)
	}
}
