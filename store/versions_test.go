package store_test

import (
	"context"
	"testing"
	"time"

	"incidentmap/geo"
)

// An imported incident's first version keeps its data in the incident's row
// until the incident changes: reads as of before a change or a deletion must
// still show it as it was, and its history must name who imported it.
func TestFirstVersionInTheRowSurvivesChangeAndDeletion(t *testing.T) {
	st, db := openImportStore(t)
	ctx := context.Background()
	if n, err := st.Import(ctx, &listReader{n: 3, title: "imported"}, "import file.geojsons", false); err != nil || n != 3 {
		t.Fatalf("import = %d, %v", n, err)
	}
	if n := count(t, db, `SELECT count(*) FROM incident_versions WHERE data_in_row`); n != 3 {
		t.Fatalf("%d first versions kept in the row, want 3", n)
	}
	time.Sleep(10 * time.Millisecond)
	imported := time.Now()
	time.Sleep(10 * time.Millisecond)

	changed, err := st.IncidentForEditor(ctx, "imp-00001")
	if err != nil {
		t.Fatal(err)
	}
	changed.Title = "corrected"
	if _, err := st.WriteIncident(ctx, &changed, geo.Write{Author: "editor", IfRevision: 1}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteIncident(ctx, "imp-00002", "editor", 1); err != nil {
		t.Fatal(err)
	}

	then, err := st.Incidents(ctx, geo.Filter{AsOf: &imported}, geo.Page{})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, in := range then {
		titles[in.ID] = in.Title
	}
	for _, id := range []string{"imp-00001", "imp-00002", "imp-00003"} {
		if want := "imported " + id; titles[id] != want {
			t.Errorf("as of the import, %s is %q, want %q", id, titles[id], want)
		}
	}
	if got, err := st.Incidents(ctx, geo.Filter{AsOf: &imported, Query: "imported"}, geo.Page{}); err != nil || len(got) != 3 {
		t.Errorf("text search as of the import found %d, %v; want 3", len(got), err)
	}
	now, err := st.Incidents(ctx, geo.Filter{}, geo.Page{})
	if err != nil || len(now) != 2 || now[0].Title != "corrected" && now[1].Title != "corrected" {
		t.Errorf("now: %d incidents, %v", len(now), err)
	}

	revs, err := st.Revisions(ctx, "imp-00001")
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions = %+v, %v", revs, err)
	}
	if r := revs[0]; r.Author != "import file.geojsons" || r.Op != "create" || r.Status != "published" || r.To == nil {
		t.Errorf("first revision %+v", r)
	}
	if r := revs[1]; r.Author != "editor" || r.Op != "update" {
		t.Errorf("second revision %+v", r)
	}
	if revs, err := st.Revisions(ctx, "imp-00003"); err != nil || len(revs) != 1 || revs[0].Status != "published" {
		t.Errorf("revisions of an unchanged import = %+v, %v", revs, err)
	}
	if n := count(t, db, `SELECT count(*) FROM incident_versions WHERE data_in_row`); n != 1 {
		t.Errorf("%d first versions still in the row, want 1 (the unchanged one)", n)
	}
}
