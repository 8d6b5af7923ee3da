package tiles

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb/maptile"

	"incidentmap/geo"
)

// cacheKey names a tile and a filter in canonical form, so that equivalent
// requests (values in another order, other spellings of one window) share
// one cache entry.
func cacheKey(t maptile.Tile, f geo.Filter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d/%d|%s", t.Z, t.X, t.Y, f.Time.String())
	if f.BBox != nil {
		fmt.Fprintf(&b, "|bbox=%g,%g,%g,%g", f.BBox.MinLon, f.BBox.MinLat, f.BBox.MaxLon, f.BBox.MaxLat)
	}
	list := func(name string, values []string) {
		if len(values) > 0 {
			v := slices.Clone(values)
			slices.Sort(v)
			fmt.Fprintf(&b, "|%s=%q", name, v)
		}
	}
	list("event_type", f.EventTypes)
	list("sub_event_type", f.SubEventTypes)
	list("country", f.Countries)
	list("admin1", f.Admin1)
	list("actor", f.Actors)
	if f.MinFatalities != nil {
		fmt.Fprintf(&b, "|min_fatalities=%d", *f.MinFatalities)
	}
	if f.AsOf != nil {
		fmt.Fprintf(&b, "|as_of=%s", f.AsOf.UTC().Format(time.RFC3339Nano))
	}
	if f.Query != "" {
		fmt.Fprintf(&b, "|q=%q", f.Query)
	}
	return b.String()
}
