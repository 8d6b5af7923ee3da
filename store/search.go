package store

import (
	"strings"

	"github.com/lib/pq"

	"incidentmap/fold"
	"incidentmap/geo"
)

// searchColumns returns what an incident's row keeps for search, computed
// here rather than in the database (see migration 7): the words of its text
// as a tsvector literal, for q, and its actors folded, for actor.
func searchColumns(in *geo.Incident) (words, actors string) {
	actors = strings.Join(in.Actors, " | ")
	return fold.TSVector(in.Title, in.Summary, in.Location, in.Admin1, in.Admin2, actors), fold.Fold(actors)
}

// textQuery is the tsquery for q, a comma-separated list of terms: nil
// (which matches nothing) when no term has a word.
func textQuery(q string) any {
	if tq := fold.PrefixQuery(strings.Split(q, ",")); tq != "" {
		return tq
	}
	return nil
}

// actorPatterns are the LIKE patterns for actor: each name folded, then
// its wildcards escaped, anywhere in the folded actors.
func actorPatterns(actors []string) any {
	folded := make([]string, len(actors))
	for i, a := range actors {
		folded[i] = fold.Fold(a)
	}
	patterns := likeEscapeAll(folded)
	for i, p := range patterns {
		patterns[i] = "%" + p + "%"
	}
	return pq.Array(patterns)
}
