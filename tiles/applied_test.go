package tiles

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// TestApplyLogsWhereEachIncidentWasAndIs pins what live streams are told:
// a moved point was in its old tile and is in its new one, a line adds
// the range of its bounds, a deleted incident only was, a new one only is,
// and an id the index never held (a draft) is absent.
func TestApplyLogsWhereEachIncidentWasAndIs(t *testing.T) {
	moura, gao := orb.Point{-4.3, 14.3}, orb.Point{-0.04, 16.27}
	ix := build(map[string]geo.Summary{
		"moved": summary("moved", moura[0], moura[1], "2022-03-01"),
		"gone":  summary("gone", gao[0], gao[1], "2022-03-01"),
	})
	line := summary("line", 0, 0, "2022-03-01")
	line.Geometry = orb.LineString{moura, gao}
	moved := summary("moved", gao[0], gao[1], "2022-03-02")
	moves := moveLog{}
	applyLogged(ix, []string{"moved", "gone", "line", "draft"}, []geo.Summary{moved, line}, moves)

	at := func(p orb.Point) TileRange {
		tl := maptile.At(p, MaxZoom)
		return TileRange{tl.X, tl.Y, tl.X, tl.Y}
	}
	b := line.Geometry.Bound()
	want := map[string]Move{
		"moved": {Was: []TileRange{at(moura)}, Is: []TileRange{at(gao)}},
		"gone":  {Was: []TileRange{at(gao)}},
		"line":  {Is: []TileRange{boundRange(b), at(b.Center())}},
	}
	if !reflect.DeepEqual(map[string]Move(moves), want) {
		t.Errorf("moves %+v, want %+v", moves, want)
	}
	// the line's range runs from its north-west corner to its south-east one
	nw, se := maptile.At(orb.Point{moura[0], gao[1]}, MaxZoom), maptile.At(orb.Point{gao[0], moura[1]}, MaxZoom)
	if got := boundRange(b); got != (TileRange{nw.X, nw.Y, se.X, se.Y}) {
		t.Errorf("line range %v, want %v to %v", got, nw, se)
	}
}
