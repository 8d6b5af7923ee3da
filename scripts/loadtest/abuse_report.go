package main

import (
	"fmt"
	"net/http"
	"strings"

	"incidentmap/scripts/harness"
)

// The abuser's part of the report: targets of issue 12 (item 11).

// abusedFigures are the normal mix's figures beside the abuser.
func (r *report) abusedFigures() (s summary, serverErrors int) {
	all := r.abused.all()
	for st, n := range all.statuses {
		if st >= 500 {
			serverErrors += n
		}
	}
	return all.summary(), serverErrors
}

// refusals counts the abuser's answers with status st, every kind.
func (a abuseResult) refusals(st int) int {
	n := 0
	for _, t := range a.kinds {
		n += t.statuses[st]
	}
	return n
}

// abuseFaults: the normal mix must get no error status and no socket error
// beside the abuser.
func (r *report) abuseFaults() []string {
	if r.abused == nil {
		return nil
	}
	s, _ := r.abusedFigures()
	var out []string
	if s.badStatus > 0 {
		out = append(out, fmt.Sprintf("%d error statuses in the normal mix beside the abuser", s.badStatus))
	}
	if s.sockErrs > 0 {
		out = append(out, fmt.Sprintf("%d socket errors in the normal mix beside the abuser", s.sockErrs))
	}
	return out
}

func (r *report) abuseTargets(p func(string, ...any)) {
	if r.abused == nil {
		return
	}
	s, fives := r.abusedFigures()
	p("| beside the abuser, %s: p99 of the normal mix ≤ %s | %s | %s |", r.abused.name(), harness.MS(p99Target),
		harness.MS(s.p99), harness.YesNo(s.requests > 0 && s.p99 <= p99Target))
	p("| beside the abuser: no 5xx in the normal mix (nor any error status) | %s 5xx, %s error statuses | %s |",
		harness.Thousands(int64(fives)), harness.Thousands(int64(s.badStatus)), harness.YesNo(s.badStatus == 0 && s.sockErrs == 0))
	n429, n503 := r.abuse.refusals(http.StatusTooManyRequests), r.abuse.refusals(http.StatusServiceUnavailable)
	// Either refusal will do: the per-client limits (429) usually refuse an
	// abuser before it fills a server-wide cap (503).
	p("| the abuser is refused (429 per client, 503 server-wide) | 429: %s, 503: %s | %s |",
		harness.Thousands(int64(n429)), harness.Thousands(int64(n503)), harness.YesNo(n429+n503 > 0))
}

// abuseVerdict sums the run beside the abuser up in a line.
func (r *report) abuseVerdict() string {
	s, fives := r.abusedFigures()
	met := "met"
	if s.p99 > p99Target {
		met = "missed"
	}
	return fmt.Sprintf("beside the abuser, the normal mix's p99 %s %s (target %s: %s) with %d 5xx; the abuser got 429: %d, 503: %d",
		harness.MS(s.p99), r.abused.name(), harness.MS(p99Target), met, fives,
		r.abuse.refusals(http.StatusTooManyRequests), r.abuse.refusals(http.StatusServiceUnavailable))
}

// abuseText is the section of the run beside the abuser.
func (r *report) abuseText(p func(string, ...any)) {
	if r.abused == nil {
		return
	}
	a := r.abuse
	p("### %s, beside an abusive client\n", strings.ToUpper(r.abused.name()[:1])+r.abused.name()[1:])
	p("The same mix ran a third time for %s at %g reads a second, each reader a client of its own (`X-Forwarded-For: "+
		"198.51.100.N` from loopback, a trusted proxy: `INCIDENTMAP_TRUSTED_PROXIES=127.0.0.1/32`), while one abusive "+
		"client, `X-Forwarded-For: %s`, on connections of its own, asked at once for: PostGIS-built tiles "+
		"(`q=synthetic` and a random window of 1 month to 10 years), %d at a time back to back; huge pages "+
		"(`f=csv&limit=2147483647`, and `limit=10000&offset=<0.5M-2G>`), %d at a time back to back; %d slow readers, "+
		"each a whole CSV export read at 2 KB/s with a 16 KB receive buffer, reopened (at most once a second) when it "+
		"ended; and every %s, whether or not the last was answered, a burst of %d small exports in each spelling (`f=csv`, `f=CSV`, `f=geojsonseq`, "+
		"`Accept: text/csv`, `Accept: application/geo+json-seq`) at once. The normal mix:\n",
		r.cfg.duration, r.cfg.abuseRate, abuserAddr, abuseTiles, abuseHuge, abuseSlow, burstEvery, burstEach)
	r.kindsTable(p, r.abused)
	p("The abuser (latency to the status line; *unfinished*: still running when the run ended, cut by the client):\n")
	p("| abuse | requests | statuses | unfinished | socket errors | p50 | p99 | max |")
	p("|---|---|---|---|---|---|---|---|")
	for _, k := range abuseKinds() {
		t := a.kinds[k]
		if t == nil {
			t = newTally()
		}
		s := t.summary()
		p("| %s | %s | %s | %d | %s | %s | %s | %s |", k, harness.Thousands(int64(s.requests+a.unfinished[k])),
			counts(t.statuses), a.unfinished[k], counts(t.sockErrs), harness.MS(s.p50), harness.MS(s.p99), harness.MS(s.max))
	}
	sl := a.slow
	p("")
	p("Slow readers: %d exports opened (200), %d ended by the server before the run ended, %d still read when it "+
		"ended; %s read in all; the longest was served %s.", sl.opened, sl.cutEarly, sl.held,
		harness.Size(sl.bytes), harness.MS(sl.longest))
	if a.peakRSS > 0 {
		p("The server's resident memory: %s MB at the start of the run, at most %s MB during it.",
			harness.Thousands(a.startRSS>>10), harness.Thousands(a.peakRSS>>10))
	}
	p("")
}
