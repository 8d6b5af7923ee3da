package tiles

import (
	"bytes"
	"cmp"
	"slices"

	"incidentmap/geo"
)

// order is an order of incidents the index can follow (geo.SortKey): keys
// over the columns it holds, the last one the id. Titles, locations and
// update times are not held (titles only cut short): orders on them are
// PostGIS's.
type order struct {
	keys      []orderKey
	byDefault bool // start time then id, the API's default, on a faster path
}

type orderKey struct {
	column sortColumn
	desc   bool
}

type sortColumn uint8

const (
	byStart sortColumn = iota
	byEnd
	byBest
	byCountry
	byEventType
	bySubType
	byID
)

// sortColumns are the properties the index can sort by.
var sortColumns = map[string]sortColumn{
	"starts_at": byStart, "ends_at": byEnd, "fatalities_best": byBest, "country": byCountry,
	"event_type": byEventType, "sub_event_type": bySubType, "id": byID,
}

// defaultOrder is the API's default order.
var defaultOrder = order{keys: []orderKey{{column: byStart}, {column: byID}}, byDefault: true}

// compileOrder returns the order of sort (nil: the default), and false when
// a key is one the index does not hold.
func compileOrder(sort []geo.SortKey) (order, bool) {
	if sort == nil || slices.Equal(sort, geo.IncidentOrder) {
		return defaultOrder, true
	}
	o := order{keys: make([]orderKey, len(sort))}
	for i, k := range sort {
		col, ok := sortColumns[k.Property]
		if !ok {
			return order{}, false
		}
		o.keys[i] = orderKey{column: col, desc: k.Descending}
	}
	return o, true
}

// sortValue is the value of one key of an incident; unknown values
// (fatalities nobody gave) come last in both directions, as NULLS LAST in
// the database.
type sortValue struct {
	v     int64
	known bool
}

// value returns incident i's value of a column other than the id. Text
// columns of a closed list compare by their rank in byte order.
func (ix *index) value(col sortColumn, i int32) sortValue {
	switch col {
	case byStart:
		return sortValue{ix.start[i], true}
	case byEnd:
		return sortValue{ix.end[i], true}
	case byBest:
		return sortValue{int64(ix.best[i]), ix.best[i] >= 0}
	case byCountry:
		return sortValue{int64(ix.attrs[i].country), true}
	case byEventType:
		return sortValue{int64(eventTypeRank[ix.attrs[i].eventType]), true}
	default:
		return sortValue{int64(subTypeRank[ix.attrs[i].subType]), true}
	}
}

func compareValues(a, b sortValue, desc bool) int {
	if a.known != b.known {
		if a.known {
			return -1
		}
		return 1
	}
	if desc {
		return cmp.Compare(b.v, a.v)
	}
	return cmp.Compare(a.v, b.v)
}

// less reports whether incident a of ix comes before b.
func (o *order) less(ix *index, a, b int32) bool {
	if o.byDefault {
		sa, sb := ix.start[a], ix.start[b]
		if sa != sb {
			return sa < sb
		}
		return bytes.Compare(ix.bytes(int(a), 0), ix.bytes(int(b), 0)) < 0
	}
	for _, k := range o.keys {
		if c := k.compare(ix, sortValue{}, nil, a, b); c != 0 {
			return c < 0
		}
	}
	return false
}

// matchKey is a position in an order: the values of one incident, which
// stay valid when the index moves on.
type matchKey struct {
	vals []sortValue // one per key; the id's is unused
	id   []byte
}

// keyOf returns the key of incident i.
func (o *order) keyOf(ix *index, i int32) *matchKey {
	k := &matchKey{vals: make([]sortValue, len(o.keys)), id: bytes.Clone(ix.bytes(int(i), 0))}
	for j, key := range o.keys {
		if key.column != byID {
			k.vals[j] = ix.value(key.column, i)
		}
	}
	return k
}

// before reports whether key comes before incident i of ix.
func (o *order) before(ix *index, key *matchKey, i int32) bool {
	for j, k := range o.keys {
		if c := k.compare(ix, key.vals[j], key.id, -1, i); c != 0 {
			return c < 0
		}
	}
	return false
}

// compare compares one key of a with incident b: a is incident a of ix
// when a >= 0, else the value va and the id ida.
func (k orderKey) compare(ix *index, va sortValue, ida []byte, a, b int32) int {
	if k.column == byID {
		if a >= 0 {
			ida = ix.bytes(int(a), 0)
		}
		c := bytes.Compare(ida, ix.bytes(int(b), 0))
		if k.desc {
			return -c
		}
		return c
	}
	if a >= 0 {
		va = ix.value(k.column, a)
	}
	return compareValues(va, ix.value(k.column, b), k.desc)
}

// Ranks of the event and sub-event type codes in byte order of their names.
var (
	eventTypeRank = ranks(eventTypeList)
	subTypeRank   = ranks(subTypeList)
)

// ranks returns, for each position of names, its rank in byte order.
func ranks(names []string) []uint8 {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	out := make([]uint8, len(names))
	for i, n := range names {
		out[i] = uint8(slices.Index(sorted, n))
	}
	return out
}
