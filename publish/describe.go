package publish

import (
	"incidentmap/geo"
	"incidentmap/story"
)

// Describe is the caption and the description of a published view, for a
// View without a Describe of its own: the words of the server's /map.txt
// (package story), told from the view's incidents, which a published view
// holds whole. Places are named as the incidents report them.
func Describe(lang string, f geo.Filter, list []geo.Incident) (caption, description string) {
	v := story.View{Lang: lang, Filter: f, Incidents: list, Total: len(list)}
	return story.Caption(v), story.Describe(v)
}
