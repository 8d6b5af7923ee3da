package tiles

import (
	"slices"

	"incidentmap/geo"
)

// memFilter is a geo.Filter compiled for the index by compile. An empty
// field means "any"; the window of an unbounded interval spans all time.
type memFilter struct {
	window     geo.Window
	eventTypes uint8  // bit per eventTypeList position
	subTypes   uint64 // bit per subTypeList position
	countries  []uint16
	minBest    int32 // -1: no minimum
	boxes      []worldBox
	area       *area          // a CQL2 S_INTERSECTS term; nil: none
	cql        func(row) bool // the CQL2 filter; nil: none
}

type worldBox struct{ x0, y0, x1, y1 uint32 }

// compile turns f into a memFilter. It reports false when f needs what the
// index cannot do (text matching in q, actor, admin1; the past in as_of; a
// CQL2 filter on a property the index does not hold, see rowAccessors):
// PostGIS answers those.
func compile(f geo.Filter) (memFilter, bool) {
	if f.Query != "" || len(f.Actors) > 0 || len(f.Admin1) > 0 || f.AsOf != nil || len(f.Statuses) > 0 {
		return memFilter{}, false
	}
	m := memFilter{window: f.Time.Window(), minBest: -1}
	for _, et := range f.EventTypes {
		if i := slices.Index(eventTypeList, et); i >= 0 {
			m.eventTypes |= 1 << i
		}
	}
	for _, st := range f.SubEventTypes {
		if i := slices.Index(subTypeList, st); i > 0 {
			m.subTypes |= 1 << i
		}
	}
	for _, c := range f.Countries {
		m.countries = append(m.countries, countryCode(c))
	}
	if f.MinFatalities != nil {
		m.minBest = int32(min(*f.MinFatalities, 1<<31-1))
	}
	if f.BBox != nil {
		for _, b := range f.BBox.Bounds() {
			x0, y1 := worldXY(b.Min) // south-west: y is south-down
			x1, y0 := worldXY(b.Max)
			m.boxes = append(m.boxes, worldBox{x0, y0, x1, y1})
		}
	}
	if !compileCQL(f.CQL, &m) {
		return memFilter{}, false
	}
	return m, true
}

// timeOnly reports whether the filter is a time window (or nothing) alone.
func (m *memFilter) timeOnly() bool {
	return m.eventTypes == 0 && m.subTypes == 0 && len(m.countries) == 0 && m.minBest < 0 && len(m.boxes) == 0 &&
		m.area == nil && m.cql == nil
}

// boxed reports whether the filter holds incidents to boxes: a bbox, or a
// CQL2 S_INTERSECTS term (whose boxes bound its literal).
func (m *memFilter) boxed() bool { return len(m.boxes) > 0 || m.area != nil }

// bboxMeets reports whether an incident whose point lies inside b may
// pass the bbox: one of its boxes meets b.
func (m *memFilter) bboxMeets(b worldBox) bool {
	return len(m.boxes) == 0 || slices.ContainsFunc(m.boxes, b.meets)
}

// areaMeets reports whether a point incident inside b may pass the
// S_INTERSECTS term: one of its boxes meets b. A line or area is held by
// its bounds, not its point, and may pass anyway.
func (m *memFilter) areaMeets(b worldBox) bool {
	return m.area == nil || slices.ContainsFunc(m.area.boxes, b.meets)
}

// holdsAll reports whether every incident inside b passes the filter's
// boxes: one box of each set contains b, and the area is the union of
// its boxes.
func (m *memFilter) holdsAll(b worldBox) bool {
	return (len(m.boxes) == 0 || slices.ContainsFunc(m.boxes, b.inside)) &&
		(m.area == nil || m.area.exact && slices.ContainsFunc(m.area.boxes, b.inside))
}

// meets reports whether boxes a and o share a point.
func (a worldBox) meets(o worldBox) bool {
	return a.x0 <= o.x1 && o.x0 <= a.x1 && a.y0 <= o.y1 && o.y0 <= a.y1
}

// inside reports whether a lies inside o.
func (a worldBox) inside(o worldBox) bool {
	return o.x0 <= a.x0 && a.x1 <= o.x1 && o.y0 <= a.y0 && a.y1 <= o.y1
}

// match reports whether incident i of ix passes the filter.
func (m *memFilter) match(ix *index, i int) bool {
	if !m.window.Overlaps(ix.start[i], ix.end[i]) {
		return false
	}
	a := ix.attrs[i]
	if m.eventTypes != 0 && m.eventTypes&(1<<a.eventType) == 0 {
		return false
	}
	if m.subTypes != 0 && m.subTypes&(1<<a.subType) == 0 {
		return false
	}
	if m.minBest >= 0 && ix.best[i] < m.minBest {
		return false
	}
	if len(m.countries) > 0 && !slices.Contains(m.countries, a.country) {
		return false
	}
	if len(m.boxes) > 0 && !inAnyBox(m.boxes, ix.x[i], ix.y[i]) {
		return false
	}
	if m.area != nil && !m.area.holds(ix, i) {
		return false
	}
	return m.cql == nil || m.cql(row{ix, i})
}
