package publish

import (
	"fmt"

	"incidentmap/geo"
	"incidentmap/render"
)

// Describe is the caption and the description of a published view, for a
// View without a Describe of its own. For now the caption is
// render.Caption's, about the place most of the view's incidents are at,
// and the description counts the incidents and their sources: the
// description module of the captions work replaces it here, in one place.
func Describe(lang string, f geo.Filter, list []geo.Incident) (caption, description string) {
	counts := map[string]int{}
	place, sources := "", 0
	for _, in := range list {
		counts[in.Location]++
		if in.Location != "" && counts[in.Location] > counts[place] {
			place = in.Location
		}
		sources += len(in.Sources)
	}
	return render.Caption(lang, place, f), fmt.Sprintf("%d incident(s), %d source(s).", len(list), sources) // the same words in en and fr
}
