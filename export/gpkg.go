package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paulmach/orb"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"incidentmap/geo"
)

// maxGeoPackageSize bounds the temporary file of a GeoPackage export: 2 GiB
// holds about two million incidents (synthetic ones take 1.05 KiB each,
// BenchmarkGeoPackage).
const maxGeoPackageSize = 2 << 30

// gpkgPageSize is the SQLite page size of the file (SQLite's default).
const gpkgPageSize = 4096

// WriteGeoPackage writes the incidents that each yields into w as a
// GeoPackage 1.3 (OGC 12-128r18): the features table incidents (EPSG:4326,
// with an R-tree spatial index on geom), the attributes table claims (one
// row per claim, with the incident's id), related to incidents through the
// Related Tables Extension.
//
// A GeoPackage is an SQLite database, which needs a file: it is built in a
// temporary file of os.TempDir(), removed afterwards, and copied to w only
// once complete, so nothing is written to w when it fails. Memory stays
// bounded (SQLite's page cache and one incident at a time); the file is
// bounded by maxGeoPackageSize, past which it fails with a *geo.Error
// (ETooLarge, naming f); it is one of the files built at once (whileBuilding).
// The claims table is filled only when props keeps claims.
func WriteGeoPackage(ctx context.Context, w io.Writer, each Each, props Properties) error {
	return whileBuilding(func() error { return writeGeoPackage(ctx, w, each, props, maxGeoPackageSize) })
}

func writeGeoPackage(ctx context.Context, w io.Writer, each Each, props Properties, limit int64) error {
	tmp, err := os.CreateTemp("", "incidentmap-*.gpkg")
	if err != nil {
		return fmt.Errorf("export: a temporary file for the GeoPackage: %w", err)
	}
	path := tmp.Name()
	defer os.Remove(path)
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := buildGeoPackage(ctx, path, each, props, limit); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only: a failed read comes back from io.Copy
	_, err = io.Copy(w, ctxReader{ctx, f})
	return err
}

// buildGeoPackage writes the GeoPackage into the empty file at path.
func buildGeoPackage(ctx context.Context, path string, each Each, props Properties, limit int64) (err error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	db.SetMaxOpenConns(1) // the pragmas below hold for this one connection
	pragmas := []string{
		fmt.Sprintf("PRAGMA page_size = %d", gpkgPageSize),
		fmt.Sprintf("PRAGMA max_page_count = %d", limit/gpkgPageSize),
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
		"PRAGMA journal_mode = OFF", // a failed build is thrown away, never rolled back
		"PRAGMA synchronous = OFF",
		"PRAGMA cache_size = -8192", // KiB: SQLite's memory for the build
	}
	columns := pick(incidentColumns, func(c column) string { return c.name }, props)
	if err := execAll(ctx, db, append(pragmas, gpkgSchema(columns)...)); err != nil {
		return err
	}
	l, err := newGpkgLoader(ctx, db, columns)
	if err != nil {
		return err
	}
	defer l.rollback()
	if err := each(l.add); err != nil {
		return tooLarge(err, limit)
	}
	return tooLarge(l.finish(), limit)
}

// tooLarge turns SQLite's "database or disk is full" into an ETooLarge
// *geo.Error. SQLite says the same when the file reaches limit (its
// max_page_count) and when the temporary directory's disk is full, and
// once it has said it the file can no longer tell which (the failed
// statement's pages are gone): either way, fewer incidents would fit, and
// the cause goes to the operator's log.
func tooLarge(err error, limit int64) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_FULL {
		return err
	}
	return &geo.Error{Code: geo.ETooLarge, Param: "f", Cause: err, Message: fmt.Sprintf(
		"the GeoPackage of these incidents would pass its limit of %d MiB (or the server's temporary space): "+
			"narrow the filters (datetime, bbox, country...) or export them with f=geojsonseq or f=csv, "+
			"which stream", limit>>20)}
}

func execAll(ctx context.Context, db *sql.DB, statements []string) error {
	for _, s := range statements {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("export: %.40s...: %w", strings.TrimSpace(s), err)
		}
	}
	return nil
}

// gpkgLoader inserts incidents, their R-tree entries and their claims in
// one transaction, and tracks the extent and the geometry types.
type gpkgLoader struct {
	ctx                                context.Context
	tx                                 *sql.Tx
	columns                            []column // of incidents
	claims                             bool     // whether claims is one of them
	incident, rtree, claim, claimOfRow *sql.Stmt
	fid, claimID                       int64
	extent                             orb.Bound
	geomType                           string // "" before the first geometry; GEOMETRY when they differ
}

func newGpkgLoader(ctx context.Context, db *sql.DB, columns []column) (*gpkgLoader, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	l := &gpkgLoader{ctx: ctx, tx: tx, columns: columns}
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = `"` + c.name + `"`
		l.claims = l.claims || c.name == "claims"
	}
	for _, s := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&l.incident, `INSERT INTO incidents (fid, geom, ` + strings.Join(names, ", ") + `) VALUES (?, ?` +
			strings.Repeat(", ?", len(names)) + `)`},
		{&l.rtree, `INSERT INTO rtree_incidents_geom VALUES (?, ?, ?, ?, ?)`},
		{&l.claim, `INSERT INTO claims (id, incident_id, claimant, claimed_on, fatalities_low, fatalities_high,
			statement, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&l.claimOfRow, `INSERT INTO incidents_claims (base_id, related_id) VALUES (?, ?)`},
	} {
		//nolint:sqlclosecheck // a Tx closes its statements at Commit or Rollback (finish, rollback)
		if *s.stmt, err = tx.PrepareContext(ctx, s.sql); err != nil {
			l.rollback()
			return nil, err
		}
	}
	return l, nil
}

// add inserts one incident with its R-tree entry and its claims.
func (l *gpkgLoader) add(in *geo.Incident) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	l.fid++
	var blob []byte
	if in.Geometry != nil {
		var err error
		if blob, err = gpkgGeometry(in.Geometry); err != nil {
			return fmt.Errorf("export: incident %s: %w", in.ID, err)
		}
	}
	p := in.Props()
	args := make([]any, 0, 2+len(l.columns))
	args = append(args, l.fid, blob)
	for _, c := range l.columns {
		args = append(args, c.value(in, &p))
	}
	if _, err := l.incident.ExecContext(l.ctx, args...); err != nil {
		return err
	}
	if in.Geometry != nil {
		if err := l.index(in.Geometry); err != nil {
			return err
		}
	}
	if !l.claims {
		return nil
	}
	for _, c := range in.Claims {
		l.claimID++
		if _, err := l.claim.ExecContext(l.ctx, l.claimID, in.ID, c.Claimant, optDate(c.ClaimedOn),
			optInt(c.FatalitiesLow), optInt(c.FatalitiesHigh), c.Statement, c.Source); err != nil {
			return err
		}
		if _, err := l.claimOfRow.ExecContext(l.ctx, l.fid, l.claimID); err != nil {
			return err
		}
	}
	return nil
}

// index adds the bounds of the current incident's geometry g to the R-tree,
// the extent and the geometry type.
func (l *gpkgLoader) index(g orb.Geometry) error {
	b := g.Bound()
	if _, err := l.rtree.ExecContext(l.ctx, l.fid, b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
		return err
	}
	switch t := gpkgTypeName(g); {
	case l.geomType == "":
		l.geomType, l.extent = t, b
		return nil
	case l.geomType != t:
		l.geomType = "GEOMETRY"
	}
	l.extent = l.extent.Union(b)
	return nil
}

// finish records the extent and the geometry type, indexes the claims by
// incident, adds the R-tree triggers and commits.
func (l *gpkgLoader) finish() error {
	var statements []string
	if l.geomType != "" {
		statements = append(statements, fmt.Sprintf(`UPDATE gpkg_contents SET min_x = %g, min_y = %g,
			max_x = %g, max_y = %g WHERE table_name = 'incidents'`, l.extent.Min[0], l.extent.Min[1],
			l.extent.Max[0], l.extent.Max[1]))
	}
	if l.geomType != "" && l.geomType != "GEOMETRY" {
		statements = append(statements, narrowGeometryType(l.geomType)...)
	}
	statements = append(statements, `CREATE INDEX claims_incident_id ON claims (incident_id)`)
	statements = append(statements, gpkgRTreeTriggers...)
	for _, s := range statements {
		if _, err := l.tx.ExecContext(l.ctx, s); err != nil {
			return fmt.Errorf("export: %.40s...: %w", strings.TrimSpace(s), err)
		}
	}
	return l.tx.Commit()
}

// narrowGeometryType declares the geometry column of incidents as typeName
// (POINT, say) once the load has shown that every geometry is one, so that
// GDAL and QGIS open a point layer rather than one of unknown geometry.
// The table was created with GEOMETRY because incidents stream in; the
// declared type is changed in sqlite_schema, which is safe as both types
// store the same blobs (SQLite's "other kinds of table schema changes").
func narrowGeometryType(typeName string) []string {
	return []string{
		`UPDATE gpkg_geometry_columns SET geometry_type_name = '` + typeName + `' WHERE table_name = 'incidents'`,
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = replace(sql, 'geom GEOMETRY,', 'geom ` + typeName + `,')
			WHERE type = 'table' AND name = 'incidents'`,
		`PRAGMA writable_schema = OFF`,
	}
}

// rollback ends the transaction unless finish committed it.
func (l *gpkgLoader) rollback() { _ = l.tx.Rollback() }

// ctxReader reads r until ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
