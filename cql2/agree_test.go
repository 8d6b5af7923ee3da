package cql2_test

import (
	"context"
	"database/sql"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/paulmach/orb"

	"incidentmap/cql2"
	"incidentmap/geo"
	"incidentmap/internal/cli"
	"incidentmap/internal/synth"
	"incidentmap/internal/testenv"
	"incidentmap/store"
	"incidentmap/store/storetest"
)

// agreementFilters are run by both back ends over the same incidents.
var agreementFilters = []string{
	`event_type = 'battles'`,
	`event_type <> 'battles' AND country = 'ML'`,
	`country IN ('BF', 'NE') OR admin1 = 'Mopti'`,
	`NOT country IN ('ML')`,
	`fatalities_best >= 50`,
	`fatalities_best > 10.5 AND fatalities_best < 100`,
	`fatalities_high - fatalities_low > 20`,
	`fatalities_best * 2 >= fatalities_high + 10`,
	`fatalities_best / (fatalities_low - fatalities_low) > 1`,
	`NOT (fatalities_best / 0 > 1)`,
	`fatalities_best BETWEEN 10 AND 100`,
	`fatalities_best NOT BETWEEN 10 AND 100`,
	`fatalities_best IS NULL`,
	`fatalities_low IS NOT NULL AND fatalities_high IS NULL`,
	`NOT fatalities_best > 5`,
	`title LIKE '%a%i%'`,
	`admin1 LIKE 'S_gou' OR admin1 LIKE 'M%naka'`,
	`title NOT LIKE '_a%'`,
	`location LIKE 'M_naka'`,
	`id LIKE 'hombori%' OR id LIKE '%\_%'`,
	`sub_event_type = '' OR geo_precision IN ('exact', 'near')`,
	`title < 'M'`,
	`date_precision = 'day' AND status = 'published'`,
	`starts_at >= TIMESTAMP('2022-04-24T00:00:00Z')`,
	`starts_at > DATE('2022-04-24')`,
	`ends_at <= DATE('2022-04-24')`,
	`updated_at > TIMESTAMP('2000-01-01T00:00:00Z')`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-04-01', '2022-04-30'))`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), DATE('2022-04-24'))`,
	`T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2022-03-01', '..'))`,
	`T_BEFORE(INTERVAL(starts_at, ends_at), DATE('2022-04-22'))`,
	`T_AFTER(starts_at, TIMESTAMP('2022-06-01T00:00:00Z'))`,
	`T_DISJOINT(INTERVAL(starts_at, ends_at), INTERVAL('..', '2022-05-01'))`,
	`T_CONTAINS(INTERVAL(starts_at, ends_at), DATE('2022-06-01'))`,
	`T_EQUALS(INTERVAL(starts_at, ends_at), INTERVAL(starts_at, ends_at))`,
	`T_EQUALS(starts_at, ends_at)`,
	`T_MEETS(INTERVAL(starts_at, ends_at), INTERVAL(ends_at, '..'))`,
	`T_METBY(INTERVAL(starts_at, ends_at), INTERVAL('2022-01-01', starts_at))`,
	`T_OVERLAPS(INTERVAL(starts_at, ends_at), INTERVAL('2022-03-29', '2022-06-30'))`,
	`T_OVERLAPPEDBY(INTERVAL(starts_at, ends_at), INTERVAL('2021-01-01', '2022-03-29'))`,
	`T_STARTS(INTERVAL(starts_at, ends_at), INTERVAL(starts_at, '..'))`,
	`T_STARTEDBY(INTERVAL(starts_at, ends_at), starts_at)`,
	`T_FINISHES(INTERVAL(starts_at, ends_at), INTERVAL('..', ends_at))`,
	`T_FINISHEDBY(INTERVAL(starts_at, ends_at), DATE('2022-03-31'))`,
	`S_INTERSECTS(geometry, BBOX(-5, 13, 0, 15))`,
	`S_INTERSECTS(geometry, BBOX(175, -50, -175, 50))`,
	`S_WITHIN(geometry, POLYGON((-10 10, 5 10, 5 20, -10 20, -10 10), (-3 13, -1 13, -1 15, -3 15, -3 13)))`,
	`S_DISJOINT(geometry, MULTIPOLYGON(((-5 13, 0 13, 0 15, -5 13)), ((1 15, 3 15, 3 17, 1 15))))`,
	`S_CONTAINS(geometry, POINT(-1.6267 14.0986))`,
	`S_INTERSECTS(geometry, LINESTRING(-20 0, 20 30))`,
	`S_INTERSECTS(geometry, POINT(-1.6267 14.0986)) AND event_type = 'battles'`,
	`S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(-8.08 12.7504), LINESTRING(-60 -60, 60 60)))`,
	`S_WITHIN(geometry, BBOX(-180, -90, 180, 0)) OR fatalities_best = 0`,
	`(country = 'ML' OR country = 'BF') AND NOT (event_type = 'battles' OR fatalities_best < 20)`,
	`TRUE AND NOT FALSE`,
	`'a' = 'a' AND 1 < 2`,
}

// TestBackEndsAgree runs each filter as SQL in PostGIS and as a Go
// predicate over the same incidents (the seed and synthetic ones, some of
// them lines and areas), and requires the same incidents from both.
func TestBackEndsAgree(t *testing.T) {
	a := newAgreement(t, 3000)
	for _, f := range agreementFilters {
		n := a.check(t, f)
		t.Logf("%5d %s", n, f)
	}
}

// agreement is a seeded database and its incidents, loaded in Go.
type agreement struct {
	db        *sql.DB
	incidents []geo.Incident
}

// newAgreement seeds a new database and adds synthetic incidents to it.
func newAgreement(t *testing.T, synthetic int) *agreement {
	t.Helper()
	dsn := testenv.NewDatabase(t)
	st := storetest.Open(t, dsn)
	if err := cli.Seed(context.Background(), st, io.Discard); err != nil {
		t.Fatal(err)
	}
	if synthetic > 0 {
		copyShapes(t, st, synthetic)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &agreement{db: db, incidents: allIncidents(t, db, st)}
}

// check runs filter f through both back ends, requires the same incidents
// from both and returns how many.
func (a *agreement) check(t *testing.T, f string) int {
	t.Helper()
	e, err := cql2.Parse(f, cql2.LangText, incidentQueryables)
	if err != nil {
		t.Errorf("%.80s: %v", f, err)
		return 0
	}
	where, args, err := cql2.ToSQL(e, cql2.IncidentColumns, 1)
	if err != nil {
		t.Fatalf("%.80s: %v", f, err)
	}
	if strings.Contains(where, "'") {
		t.Errorf("%.80s: a quote in the SQL, values must travel as $n: %s", f, where)
	}
	var fromSQL []string
	if err := a.db.QueryRow(`SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM incidents i WHERE `+where,
		args...).Scan(pq.Array(&fromSQL)); err != nil {
		t.Errorf("%.80s: PostgreSQL failed: %v", f, err)
		return 0
	}
	pass, err := cql2.Predicate(e, cql2.IncidentAccessors)
	if err != nil {
		t.Fatalf("%.80s: %v", f, err)
	}
	var fromGo []string
	for i := range a.incidents {
		if pass(&a.incidents[i]) {
			fromGo = append(fromGo, a.incidents[i].ID)
		}
	}
	if !slices.Equal(fromSQL, fromGo) {
		t.Errorf("%.80s\nSQL %s\n%d from SQL, %d from Go; first differences: %v",
			f, where, len(fromSQL), len(fromGo), firstDifferences(fromSQL, fromGo))
	}
	return len(fromSQL)
}

// hostileFilters are valid filters built to break the SQL they compile
// to: overflowing arithmetic, division by zero, invalid and degenerate
// geometries, the ends of time, wildcard storms, the longest lists.
func hostileFilters() []string {
	product := balanced("fatalities_best", "*", "1e308", cql2.MaxArith)
	quotient := balanced("fatalities_best", "/", "1e-308", cql2.MaxArith)
	in := "id IN ('x'" + strings.Repeat(", 'x'", cql2.MaxInItems-1) + ")"
	return []string{
		product + " > 1",
		quotient + " > 1",
		"fatalities_best * 9007199254740992 * 9007199254740992 > 1",
		"fatalities_best / (fatalities_high - fatalities_high) < 1",
		"S_WITHIN(geometry, POLYGON((0 0, 10 10, 10 0, 0 10, 0 0)))",
		"S_CONTAINS(POLYGON((-10 0, 10 30, 10 0, -10 30, -10 0)), geometry)",
		"S_INTERSECTS(geometry, POLYGON((0 0, 0 0, 0 0, 0 0)))",
		"S_WITHIN(geometry, GEOMETRYCOLLECTION(POINT(0 0), GEOMETRYCOLLECTION(POLYGON((-180 -90, 180 -90, 180 90, -180 -90)))))",
		"S_CONTAINS(BBOX(-180, -90, 180, 90), geometry) AND S_DISJOINT(geometry, BBOX(180, 90, 180, 90))",
		"T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('0000-01-01T00:00:00Z', '9999-12-31'))",
		"starts_at > DATE('0001-01-01') AND ends_at < TIMESTAMP('9999-12-31T23:59:59.999999999Z')",
		`title LIKE '%%%%%%%%%%_%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%_%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%x'`,
		`title LIKE '\%\_\\' OR location LIKE 'Ségou%' OR admin1 = 'Ménaka'`,
		in,
		"'a' = 'b' OR 1 = 1.0 OR TRUE = FALSE OR 'x' IS NULL OR 3 IS NULL",
	}
}

// balanced joins first and n-1 copies of term with op as a balanced tree
// of parentheses: n-1 operators, nested about log2(n) deep.
func balanced(first, op, term string, n int) string {
	terms := []string{first}
	for len(terms) < n {
		terms = append(terms, term)
	}
	for len(terms) > 1 {
		var next []string
		for i := 0; i+1 < len(terms); i += 2 {
			next = append(next, "("+terms[i]+" "+op+" "+terms[i+1]+")")
		}
		if len(terms)%2 == 1 {
			next = append(next, terms[len(terms)-1])
		}
		terms = next
	}
	return terms[0]
}

// TestHostileFiltersRunInPostGIS holds that no filter Parse accepts makes
// PostgreSQL fail (a failure would be a 500), and that the Go predicate
// agrees with it on these too.
func TestHostileFiltersRunInPostGIS(t *testing.T) {
	a := newAgreement(t, 0)
	for _, f := range hostileFilters() {
		a.check(t, f)
	}
}

// TestSQLOfSeed pins a few filters to the seed incidents they select.
func TestSQLOfSeed(t *testing.T) {
	db := newAgreement(t, 0).db
	for _, c := range []struct {
		filter, lang string
		want         []string
	}{
		{`fatalities_best >= 500`, "", []string{"menaka-isgs-offensive-2022", "moura-2022-03"}},
		{`{"op":"and","args":[{"op":"=","args":[{"property":"country"},"BF"]},{"op":"t_intersects","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["2022-09-01",".."]}]}]}`,
			cql2.LangJSON, []string{"gaskinde-convoy-2022-09-26"}},
		{`S_INTERSECTS(geometry, BBOX(-9, 12, -7, 13)) AND event_type = 'explosions_remote_violence'`, "", []string{"kati-2022-07-22"}},
		{`title = 'x''; DROP TABLE incidents; --'`, "", nil},
	} {
		e, err := cql2.Parse(c.filter, c.lang, incidentQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		where, args, err := cql2.ToSQL(e, cql2.IncidentColumns, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(t, db, `SELECT id FROM incidents i WHERE `+where+` ORDER BY id`, args...); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.filter, got, c.want)
		}
	}
}

// copyShapes adds n synthetic incidents; every 20th is a small square and
// every 20th (offset by 10) a short line through its point; every 7th has
// no best fatality figure and every 11th no high one.
func copyShapes(t *testing.T, st *store.Store, n int) {
	t.Helper()
	next := synth.Incidents(11, n)
	k := 0
	_, err := st.CopyIncidents(context.Background(), func() (*geo.Incident, bool, error) {
		in, ok, err := next()
		if !ok || err != nil {
			return in, ok, err
		}
		k++
		if k%7 == 0 {
			in.Fatalities.Best = nil
		}
		if k%11 == 0 {
			in.Fatalities.High = nil
		}
		p := in.Geometry.(orb.Point)
		switch k % 20 {
		case 0:
			in.Geometry = orb.Bound{Min: orb.Point{p[0] - 0.5, p[1] - 0.5}, Max: orb.Point{p[0] + 0.5, p[1] + 0.5}}.ToPolygon()
		case 10:
			in.Geometry = orb.LineString{{p[0] - 0.3, p[1] - 0.2}, p, {p[0] + 0.4, p[1] + 0.1}}
		}
		return in, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func allIncidents(t *testing.T, db *sql.DB, st *store.Store) []geo.Incident {
	t.Helper()
	all := ids(t, db, `SELECT id FROM incidents ORDER BY id`)
	incidents, err := st.IncidentsByID(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	if len(incidents) != len(all) {
		t.Fatalf("%d incidents by id, %d ids", len(incidents), len(all))
	}
	slices.SortFunc(incidents, func(a, b geo.Incident) int { return strings.Compare(a.ID, b.ID) })
	return incidents
}

// ids runs a query of ids and returns them in its order.
func ids(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	var out []string
	if err := db.QueryRow(`SELECT coalesce(array_agg(id), '{}') FROM (`+query+`) q`, args...).Scan(pq.Array(&out)); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// firstDifferences lists up to five ids in one list and not the other.
func firstDifferences(a, b []string) []string {
	var out []string
	for _, id := range a {
		if !slices.Contains(b, id) && len(out) < 5 {
			out = append(out, "sql only: "+id)
		}
	}
	for _, id := range b {
		if !slices.Contains(a, id) && len(out) < 10 {
			out = append(out, "go only: "+id)
		}
	}
	return out
}

func TestCoveredBySummaries(t *testing.T) {
	for _, c := range []struct {
		filter string
		want   bool
	}{
		{`event_type = 'battles' AND country IN ('ML') AND fatalities_best > 3`, true},
		{`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('2022-01-01', '..')) AND S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`, true},
		{`admin1 = 'Mopti'`, false},
		{`fatalities_best > 3 OR fatalities_high > 3`, false},
		{`actors IS NULL`, false},
	} {
		e, err := cql2.Parse(c.filter, "", incidentQueryables)
		if err != nil {
			t.Fatal(err)
		}
		if got := cql2.Covered(e, cql2.SummaryAccessors); got != c.want {
			t.Errorf("%s: Covered = %v, want %v", c.filter, got, c.want)
		}
	}
}

func TestPredicateOnSummaries(t *testing.T) {
	best := 12
	s := &geo.Summary{ID: "a", Title: "Ségou clash", EventType: "battles", Country: "ML",
		Geometry: orb.Point{-6, 13.5}, FatalitiesBest: &best,
		StartsAt: time.Date(2022, 4, 24, 0, 0, 0, 0, time.UTC), EndsAt: time.Date(2022, 4, 25, 0, 0, 0, 0, time.UTC)}
	unknown := &geo.Summary{ID: "b", Country: "BF", Geometry: orb.Point{0, 0}}
	for _, c := range []struct {
		filter        string
		want, wantNil bool // for s, and for unknown (no fatalities)
	}{
		{`event_type = 'battles' AND fatalities_best BETWEEN 10 AND 20`, true, false},
		{`NOT fatalities_best > 100`, true, false},               // unknown under NOT selects nothing
		{`fatalities_best > 100 OR country = 'BF'`, false, true}, // unknown OR true is true
		{`title LIKE 'S_gou%'`, true, false},
		{`title LIKE 'S\_gou%'`, false, false},
		{`T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2022-04-23', '..'))`, true, false},
		{`T_INTERSECTS(INTERVAL(starts_at, ends_at), DATE('2022-04-25'))`, true, false},
		{`T_AFTER(starts_at, DATE('2022-04-23'))`, true, false},
		{`S_WITHIN(geometry, BBOX(-7, 13, -5, 14))`, true, false},
		{`S_CONTAINS(POLYGON((-10 10, 10 10, 10 20, -10 20, -10 10)), geometry)`, true, false},
		{`S_WITHIN(geometry, POLYGON((-6 13, -5 13, -5 14, -6 14, -6 13)))`, false, false}, // on the edge
		{`S_INTERSECTS(geometry, POLYGON((-6 13, -5 13, -5 14, -6 14, -6 13)))`, true, false},
		{`S_DISJOINT(geometry, LINESTRING(-1 -1, 1 1))`, true, false},
	} {
		e, err := cql2.Parse(c.filter, "", incidentQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		pass, err := cql2.Predicate(e, cql2.SummaryAccessors)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		if got := pass(s); got != c.want {
			t.Errorf("%s: %v, want %v", c.filter, got, c.want)
		}
		if got := pass(unknown); got != c.wantNil {
			t.Errorf("%s on an incident without figures: %v, want %v", c.filter, got, c.wantNil)
		}
	}
}

func TestPredicateNeedsItsProperties(t *testing.T) {
	e, err := cql2.Parse(`admin1 = 'Mopti'`, "", incidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cql2.Predicate(e, cql2.SummaryAccessors); err == nil {
		t.Error("a predicate over summaries read admin1, which they lack")
	}
}

// TestToSQLNumbersArguments shows the fragment for a caller whose own
// arguments come first: values only as $n from firstArg on.
func TestToSQLNumbersArguments(t *testing.T) {
	e, err := cql2.Parse(`title < 'M' AND fatalities_best > 3 AND S_INTERSECTS(geometry, BBOX(0, 1, 2, 3))`, "", incidentQueryables)
	if err != nil {
		t.Fatal(err)
	}
	where, args, err := cql2.ToSQL(e, cql2.IncidentColumns, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := `((i.title < $5 COLLATE "C") AND (i.fatalities_best > $6::bigint) AND ` +
		`ST_Intersects(i.geom, ST_MakeValid(ST_GeomFromText($7, 4326))))`
	if where != want {
		t.Errorf("got  %s\nwant %s", where, want)
	}
	wantArgs := []any{"M", int64(3), "POLYGON((0 1,2 1,2 3,0 3,0 1))"}
	if !slices.Equal(args, wantArgs) {
		t.Errorf("args %#v, want %#v", args, wantArgs)
	}
}
