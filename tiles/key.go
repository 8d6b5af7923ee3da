package tiles

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// cacheKey names a tile and a filter in canonical form, so that equivalent
// requests (values in another order, other spellings of one window) share
// one cache entry. A tile with only a window, what a map asks for again and
// again, costs one allocation: the key itself.
func cacheKey(t maptile.Tile, f geo.Filter) string {
	b := make([]byte, 0, 128)
	b = strconv.AppendUint(b, uint64(t.Z), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(t.X), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(t.Y), 10)
	b = append(b, '|')
	b = appendBound(b, f.Time.Start)
	b = append(b, '/')
	b = appendBound(b, f.Time.End)
	if f.BBox != nil {
		b = fmt.Appendf(b, "|bbox=%g,%g,%g,%g", f.BBox.MinLon, f.BBox.MinLat, f.BBox.MaxLon, f.BBox.MaxLat)
	}
	list := func(name string, values []string) {
		if len(values) > 0 {
			v := slices.Clone(values)
			slices.Sort(v)
			b = fmt.Appendf(b, "|%s=%q", name, v)
		}
	}
	list("event_type", f.EventTypes)
	list("sub_event_type", f.SubEventTypes)
	list("country", f.Countries)
	list("admin1", f.Admin1)
	list("actor", f.Actors)
	if f.MinFatalities != nil {
		b = fmt.Appendf(b, "|min_fatalities=%d", *f.MinFatalities)
	}
	if f.AsOf != nil {
		b = fmt.Appendf(b, "|as_of=%s", f.AsOf.UTC().Format(time.RFC3339Nano))
	}
	if f.Query != "" {
		b = fmt.Appendf(b, "|q=%q", f.Query)
	}
	if f.CQL != nil {
		b = fmt.Appendf(b, "|filter=%q", f.CQL.Text())
	}
	return string(b)
}

// appendBound appends one end of a window as the instant it names, in Unix
// seconds and nanoseconds (two spellings of one instant share it), or ".."
// when open.
func appendBound(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, ".."...)
	}
	b = strconv.AppendInt(b, t.Unix(), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(t.Nanosecond()), 10)
}
