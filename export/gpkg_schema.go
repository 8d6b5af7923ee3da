package export

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"incidentmap/geo"
)

// GeoPackage 1.3 identifies itself in the SQLite header (Requirements 2, 3).
const (
	gpkgApplicationID = 0x47504B47 // "GPKG"
	gpkgUserVersion   = 10300
)

// column is one column of a table we write, with the value it takes from
// an incident (p is in.Props(), computed once per incident).
type column struct {
	name, sqlType string
	value         func(in *geo.Incident, p *geo.IncidentProps) any
}

// incidentColumns are the attribute columns of the features table
// incidents: the incident properties of interface.md, dates as ISO 8601
// text (DATETIME, which GDAL reads as dates), numbers as INTEGER, actors,
// claims and sources as JSON arrays (declared application/json in
// gpkg_data_columns, which GDAL reads as JSON fields). Each claim is also a
// row of the related attributes table claims.
var incidentColumns = []column{
	{"id", "TEXT NOT NULL UNIQUE", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.ID }},
	{"title", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Title }},
	{"summary", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Summary }},
	{"location", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Location }},
	{"country", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Country }},
	{"admin1", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Admin1 }},
	{"admin2", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Admin2 }},
	{"event_type", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.EventType }},
	{"sub_event_type", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.SubEventType }},
	{"starts_at", "DATETIME", func(in *geo.Incident, _ *geo.IncidentProps) any { return isoTime(in.StartsAt) }},
	{"ends_at", "DATETIME", func(in *geo.Incident, _ *geo.IncidentProps) any { return isoTime(in.EndsAt) }},
	{"date_precision", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.DatePrecision }},
	{"geo_precision", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.GeoPrecision }},
	{"fatalities_low", "INTEGER", func(in *geo.Incident, _ *geo.IncidentProps) any { return optInt(in.Fatalities.Low) }},
	{"fatalities_best", "INTEGER", func(in *geo.Incident, _ *geo.IncidentProps) any { return optInt(in.Fatalities.Best) }},
	{"fatalities_high", "INTEGER", func(in *geo.Incident, _ *geo.IncidentProps) any { return optInt(in.Fatalities.High) }},
	{"actors", "TEXT", func(_ *geo.Incident, p *geo.IncidentProps) any { return jsonText(p.Actors) }},
	{"status", "TEXT", func(in *geo.Incident, _ *geo.IncidentProps) any { return in.Status }},
	{"updated_at", "DATETIME", func(in *geo.Incident, _ *geo.IncidentProps) any { return optTime(in.UpdatedAt) }},
	{"claims", "TEXT", func(_ *geo.Incident, p *geo.IncidentProps) any { return jsonText(p.Claims) }},
	{"sources", "TEXT", func(_ *geo.Incident, p *geo.IncidentProps) any { return jsonText(p.Sources) }},
}

// jsonColumns are the incidents columns that hold JSON.
var jsonColumns = []string{"actors", "claims", "sources"}

// gpkgSchema creates the GeoPackage's tables, empty but for the required
// coordinate systems and the rows that register the tables and extensions.
// The incidents' geometry type and extent are filled in by gpkgFinish.
func gpkgSchema(columns []column) []string {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = `"` + c.name + `" ` + c.sqlType
	}
	schema := []string{
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
			organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
			description TEXT)`,
		`INSERT INTO gpkg_spatial_ref_sys VALUES
			('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
			('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
			('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wktWGS84 + `',
			 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
		`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
			identifier TEXT UNIQUE, description TEXT DEFAULT '',
			last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
			min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
			CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
			geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
			CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
			CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
			CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
		`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
			definition TEXT NOT NULL, scope TEXT NOT NULL,
			CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
		`CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT,
			title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT,
			CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
			CONSTRAINT gdc_tn UNIQUE (table_name, name))`,
		`CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL,
			value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN,
			description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))`,

		`CREATE TABLE incidents (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY, ` +
			strings.Join(cols, ", ") + `)`,
		`CREATE VIRTUAL TABLE rtree_incidents_geom USING rtree(id, minx, maxx, miny, maxy)`,
		`CREATE TABLE claims (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, incident_id TEXT NOT NULL,
			claimant TEXT, claimed_on DATE, fatalities_low INTEGER, fatalities_high INTEGER, statement TEXT,
			source TEXT)`,
		`CREATE TABLE incidents_claims (base_id INTEGER NOT NULL, related_id INTEGER NOT NULL)`,
		`CREATE TABLE gpkgext_relations (id INTEGER PRIMARY KEY AUTOINCREMENT, base_table_name TEXT NOT NULL,
			base_primary_column TEXT NOT NULL DEFAULT 'id', related_table_name TEXT NOT NULL,
			related_primary_column TEXT NOT NULL DEFAULT 'id', relation_name TEXT NOT NULL,
			mapping_table_name TEXT NOT NULL UNIQUE)`,

		`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
			('incidents', 'features', 'incidents', 'Geocoded conflict incidents', 4326),
			('claims', 'attributes', 'claims', 'Every claim about each incident (incident_id is incidents.id)', NULL)`,
		`INSERT INTO gpkg_geometry_columns VALUES ('incidents', 'geom', 'GEOMETRY', 4326, 0, 0)`,
		`INSERT INTO gpkgext_relations (base_table_name, base_primary_column, related_table_name,
			related_primary_column, relation_name, mapping_table_name)
			VALUES ('incidents', 'fid', 'claims', 'id', 'attributes', 'incidents_claims')`,
		`INSERT INTO gpkg_extensions VALUES
			('incidents', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only'),
			('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write'),
			('gpkg_data_column_constraints', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write'),
			('gpkgext_relations', NULL, 'related_tables', 'http://docs.opengeospatial.org/is/18-000/18-000.html', 'read-write'),
			('incidents_claims', NULL, 'related_tables', 'http://docs.opengeospatial.org/is/18-000/18-000.html', 'read-write')`,
	}
	if rows := jsonColumnRows(columns); rows != "" {
		schema = append(schema, `INSERT INTO gpkg_data_columns (table_name, column_name, name, mime_type) VALUES `+rows)
	}
	return schema
}

// jsonColumnRows are the gpkg_data_columns rows of the JSON columns among
// columns, "" when there are none.
func jsonColumnRows(columns []column) string {
	var rows []string
	for _, c := range columns {
		if slices.Contains(jsonColumns, c.name) {
			rows = append(rows, `('incidents', '`+c.name+`', '`+c.name+`', 'application/json')`)
		}
	}
	return strings.Join(rows, ", ")
}

// wktWGS84 is the definition of EPSG:4326 that GDAL writes.
const wktWGS84 = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,` +
	`AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],` +
	`UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],` +
	`AUTHORITY["EPSG","4326"]]`

// gpkgRTreeTriggers keep rtree_incidents_geom in step with later edits of
// incidents (GeoPackage 1.3, F.3 "RTree Spatial Indexes"). They are created
// after the load, which fills the R-tree itself: they call the ST_ functions
// that an editing client (GDAL, QGIS) provides and this writer does not.
var gpkgRTreeTriggers = []string{
	`CREATE TRIGGER rtree_incidents_geom_insert AFTER INSERT ON incidents
		WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
		BEGIN INSERT OR REPLACE INTO rtree_incidents_geom VALUES (NEW.fid,
			ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END`,
	`CREATE TRIGGER rtree_incidents_geom_update1 AFTER UPDATE OF geom ON incidents
		WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
		BEGIN INSERT OR REPLACE INTO rtree_incidents_geom VALUES (NEW.fid,
			ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END`,
	`CREATE TRIGGER rtree_incidents_geom_update2 AFTER UPDATE OF geom ON incidents
		WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
		BEGIN DELETE FROM rtree_incidents_geom WHERE id = OLD.fid; END`,
	`CREATE TRIGGER rtree_incidents_geom_update3 AFTER UPDATE ON incidents
		WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
		BEGIN DELETE FROM rtree_incidents_geom WHERE id = OLD.fid;
			INSERT OR REPLACE INTO rtree_incidents_geom VALUES (NEW.fid,
			ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END`,
	`CREATE TRIGGER rtree_incidents_geom_update4 AFTER UPDATE ON incidents
		WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
		BEGIN DELETE FROM rtree_incidents_geom WHERE id IN (OLD.fid, NEW.fid); END`,
	`CREATE TRIGGER rtree_incidents_geom_delete AFTER DELETE ON incidents
		WHEN old.geom NOT NULL
		BEGIN DELETE FROM rtree_incidents_geom WHERE id = OLD.fid; END`,
}

// isoTime is t as GeoPackage DATETIME text (YYYY-MM-DDTHH:MM:SS.SSSZ).
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return isoTime(t)
}

func optDate(d *geo.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func optInt(n *int) any {
	if n == nil {
		return nil
	}
	return int64(*n)
}

// jsonText is v as JSON text; the wire forms it gets always marshal.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
