package store_test

import (
	"testing"

	"incidentmap/geo"
	"incidentmap/geo/intervaltest"
	"incidentmap/store/storetest"
)

// The SQL of the time filter is geo's overlap rule: on a real PostGIS, with
// the time index in play, it selects an incident exactly when
// geo.Window.Overlaps says so, case by case of geo's table.
func TestTimeFilterIsGeosOverlapRule(t *testing.T) {
	st := storetest.New(t)
	var incidents []geo.Incident
	for _, in := range intervaltest.Incidents {
		stored := testIncident(in.ID, -4.60, 14.33, "2022-03-27", "2022-03-27")
		stored.StartsAt, stored.EndsAt = in.Start, in.End
		incidents = append(incidents, stored)
	}
	if err := st.Upsert(t.Context(), nil, incidents, "test"); err != nil {
		t.Fatal(err)
	}
	for _, c := range intervaltest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			iv, err := geo.ParseInterval("datetime", c.Datetime)
			if err != nil {
				t.Fatal(err)
			}
			list, err := st.Incidents(t.Context(), geo.Filter{Time: iv}, geo.Page{})
			if err != nil {
				t.Fatal(err)
			}
			selected := false
			for _, in := range list {
				selected = selected || in.ID == c.Incident.ID
			}
			rule := iv.Window().Overlaps(c.Incident.Start.UnixMicro(), c.Incident.End.UnixMicro())
			if selected != c.Overlaps || rule != c.Overlaps {
				t.Errorf("%s against %s: SQL selects it %v, geo's rule says %v, want %v",
					c.Datetime, c.Incident.ID, selected, rule, c.Overlaps)
			}
		})
	}
}
