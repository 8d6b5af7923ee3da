package cql2_test

import (
	"maps"
	"reflect"
	"testing"

	"incidentmap/cql2"
)

// example is one example of the CQL2 standard in both encodings.
type example struct {
	name, text, json string
	types            cql2.Queryables // overrides exampleQueryables
}

// standardExamples are the examples of the standard (OGC 21-065r2, its
// schema/examples directory) that this package supports.
var standardExamples = []example{
	{"clause6_02a", `city='Toronto'`, `{"op":"=","args":[{"property":"city"},"Toronto"]}`, nil},
	{"clause6_02c", `balance-150.0 > 0`, `{"op":">","args":[{"op":"-","args":[{"property":"balance"},150.0]},0]}`, nil},
	{"clause6_02d", `updated >= date('1970-01-01')`, `{"op":">=","args":[{"property":"updated"},{"date":"1970-01-01"}]}`, nil},
	{"clause6_03", `geometry IS NOT NULL`, `{"op":"not","args":[{"op":"isNull","args":[{"property":"geometry"}]}]}`, nil},
	{"clause7_01", `name LIKE 'Smith%'`, `{"op":"like","args":[{"property":"name"},"Smith%"]}`, nil},
	{"clause7_02", `depth BETWEEN 100.0 and 150.0`, `{"op":"between","args":[{"property":"depth"},100.0,150.0]}`, nil},
	{"clause7_03a", `cityName IN ('Toronto','Frankfurt','Tokyo','New York')`,
		`{"op":"in","args":[{"property":"cityName"},["Toronto","Frankfurt","Tokyo","New York"]]}`, nil},
	{"clause7_03b", `category NOT IN (1,2,3,4)`, `{"op":"not","args":[{"op":"in","args":[{"property":"category"},[1,2,3,4]]}]}`, nil},
	{"clause7_07", `S_INTERSECTS(geometry,POINT(36.319836 32.288087))`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[36.319836,32.288087]}]}`, nil},
	{"clause7_12", `T_INTERSECTS(event_time, INTERVAL('1969-07-16T05:32:00Z', '1969-07-24T16:50:35Z'))`,
		`{"op":"t_intersects","args":[{"property":"event_time"},{"interval":["1969-07-16T05:32:00Z","1969-07-24T16:50:35Z"]}]}`, nil},
	{"clause7_13", `T_DURING(INTERVAL(touchdown, liftOff), INTERVAL('1969-07-16T13:32:00Z', '1969-07-24T16:50:35Z'))`,
		`{"op":"t_during","args":[{"interval":[{"property":"touchdown"},{"property":"liftOff"}]},{"interval":["1969-07-16T13:32:00Z","1969-07-24T16:50:35Z"]}]}`, nil},
	{"clause7_17", `T_DURING(INTERVAL('1969-07-20T20:17:40Z', '1969-07-21T17:54:00Z'), INTERVAL('1969-07-16T13:32:00Z', '1969-07-24T16:50:35Z'))`,
		`{"op":"t_during","args":[{"interval":["1969-07-20T20:17:40Z","1969-07-21T17:54:00Z"]},{"interval":["1969-07-16T13:32:00Z","1969-07-24T16:50:35Z"]}]}`, nil},
	{"clause7_19", `vehicle_height > (bridge_clearance-1)`,
		`{"op":">","args":[{"property":"vehicle_height"},{"op":"-","args":[{"property":"bridge_clearance"},1]}]}`, nil},
	{"example01", `landsat:scene_id = 'LC82030282019133LGN00'`, `{"op":"=","args":[{"property":"landsat:scene_id"},"LC82030282019133LGN00"]}`, nil},
	{"example02", `eo:instrument LIKE 'OLI%'`, `{"op":"like","args":[{"property":"eo:instrument"},"OLI%"]}`, nil},
	{"example03", `landsat:wrs_path IN ('153','154','15X')`, `{"op":"in","args":[{"property":"landsat:wrs_path"},["153","154","15X"]]}`,
		cql2.Queryables{"landsat:wrs_path": cql2.String}},
	{"example04", `eo:cloud_cover < 0.1 AND landsat:wrs_row=28 AND landsat:wrs_path=203`,
		`{"op":"and","args":[{"op":"<","args":[{"property":"eo:cloud_cover"},0.1]},{"op":"=","args":[{"property":"landsat:wrs_row"},28]},{"op":"=","args":[{"property":"landsat:wrs_path"},203]}]}`, nil},
	{"example05a", `eo:cloud_cover=0.1 OR eo:cloud_cover=0.2`,
		`{"op":"or","args":[{"op":"=","args":[{"property":"eo:cloud_cover"},0.1]},{"op":"=","args":[{"property":"eo:cloud_cover"},0.2]}]}`, nil},
	{"example05b", `eo:cloud_cover IN (0.1,0.2)`, `{"op":"in","args":[{"property":"eo:cloud_cover"},[0.1,0.2]]}`, nil},
	{"example06a", `eo:cloud_cover BETWEEN 0.1 AND 0.2 AND landsat:wrs_row=28 AND landsat:wrs_path=203`,
		`{"op":"and","args":[{"op":"between","args":[{"property":"eo:cloud_cover"},0.1,0.2]},{"op":"=","args":[{"property":"landsat:wrs_row"},28]},{"op":"=","args":[{"property":"landsat:wrs_path"},203]}]}`, nil},
	{"example09", `floors>5`, `{"op":">","args":[{"property":"floors"},5]}`, nil},
	{"example11", `owner LIKE '%Jones%'`, `{"op":"like","args":[{"property":"owner"},"%Jones%"]}`, nil},
	{"example13", `owner NOT LIKE '%Mike%'`, `{"op":"not","args":[{"op":"like","args":[{"property":"owner"},"%Mike%"]}]}`, nil},
	{"example14", `swimming_pool = true`, `{"op":"=","args":[{"property":"swimming_pool"},true]}`, nil},
	{"example16", `swimming_pool=true AND (floors>5 OR material LIKE 'brick%' OR material LIKE '%brick')`,
		`{"op":"and","args":[{"op":"=","args":[{"property":"swimming_pool"},true]},{"op":"or","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"like","args":[{"property":"material"},"brick%"]},{"op":"like","args":[{"property":"material"},"%brick"]}]}]}`, nil},
	{"example17", `(floors>5 AND material='brick') OR swimming_pool=true`,
		`{"op":"or","args":[{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"=","args":[{"property":"material"},"brick"]}]},{"op":"=","args":[{"property":"swimming_pool"},true]}]}`, nil},
	{"example18", `NOT (floors<5) OR swimming_pool=true`,
		`{"op":"or","args":[{"op":"not","args":[{"op":"<","args":[{"property":"floors"},5]}]},{"op":"=","args":[{"property":"swimming_pool"},true]}]}`, nil},
	{"example19", `(owner LIKE 'mike%' OR owner LIKE 'Mike%') AND floors<4`,
		`{"op":"and","args":[{"op":"or","args":[{"op":"like","args":[{"property":"owner"},"mike%"]},{"op":"like","args":[{"property":"owner"},"Mike%"]}]},{"op":"<","args":[{"property":"floors"},4]}]}`, nil},
	{"example20", `T_BEFORE(built, DATE('2015-01-01'))`, `{"op":"t_before","args":[{"property":"built"},{"date":"2015-01-01"}]}`, nil},
	{"example21", `T_AFTER(built,DATE('2012-06-05'))`, `{"op":"t_after","args":[{"property":"built"},{"date":"2012-06-05"}]}`, nil},
	{"example22", `T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2017-06-10T07:30:00Z', '2017-06-11T10:30:00Z'))`,
		`{"op":"t_during","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["2017-06-10T07:30:00Z","2017-06-11T10:30:00Z"]}]}`, nil},
	{"example23", `S_WITHIN(location,BBOX(-118,33.8,-117.9,34))`, `{"op":"s_within","args":[{"property":"location"},{"bbox":[-118,33.8,-117.9,34]}]}`, nil},
	{"example24", `S_INTERSECTS(geometry,POLYGON((-10.0 -10.0,10.0 -10.0,10.0 10.0,-10.0 -10.0)))`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[-10,-10],[10,-10],[10,10],[-10,-10]]]}]}`, nil},
	{"example25", `floors>5 AND S_WITHIN(geometry,BBOX(-118,33.8,-117.9,34))`,
		`{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"s_within","args":[{"property":"geometry"},{"bbox":[-118,33.8,-117.9,34]}]}]}`, nil},
	{"example29", `"id" = 'fa7e1920-9107-422d-a3db-c468cbc5d6df'`, `{"op":"=","args":[{"property":"id"},"fa7e1920-9107-422d-a3db-c468cbc5d6df"]}`, nil},
	{"example30", `"id" <> 'fa7e1920-9107-422d-a3db-c468cbc5d6df'`, `{"op":"<>","args":[{"property":"id"},"fa7e1920-9107-422d-a3db-c468cbc5d6df"]}`, nil},
	{"example36", `NOT "name" LIKE 'foo%'`, `{"op":"not","args":[{"op":"like","args":[{"property":"name"},"foo%"]}]}`, nil},
	{"example36-alt01", `"name" NOT LIKE 'foo%'`, `{"op":"not","args":[{"op":"like","args":[{"property":"name"},"foo%"]}]}`, nil},
	{"example37", `"value" BETWEEN 10 AND 20`, `{"op":"between","args":[{"property":"value"},10,20]}`, nil},
	{"example38-alt01", `"value" NOT BETWEEN 10 AND 20`, `{"op":"not","args":[{"op":"between","args":[{"property":"value"},10,20]}]}`, nil},
	{"example39", `"value" IN (1.0, 2.0, 3.0)`, `{"op":"in","args":[{"property":"value"},[1.0,2.0,3.0]]}`, nil},
	{"example40", `NOT "value" IN ('a', 'b', 'c')`, `{"op":"not","args":[{"op":"in","args":[{"property":"value"},["a","b","c"]]}]}`,
		cql2.Queryables{"value": cql2.String}},
	{"example41", `"value" IS NULL`, `{"op":"isNull","args":[{"property":"value"}]}`, nil},
	{"example42-alt01", `"value" IS NOT NULL`, `{"op":"not","args":[{"op":"isNull","args":[{"property":"value"}]}]}`, nil},
	{"example43", `(NOT "name" LIKE 'foo%' AND "value" > 10)`,
		`{"op":"and","args":[{"op":"not","args":[{"op":"like","args":[{"property":"name"},"foo%"]}]},{"op":">","args":[{"property":"value"},10]}]}`, nil},
	{"example44", `("value" IS NULL OR "value" BETWEEN 10 AND 20)`,
		`{"op":"or","args":[{"op":"isNull","args":[{"property":"value"}]},{"op":"between","args":[{"property":"value"},10,20]}]}`, nil},
	{"example45", `S_INTERSECTS("geometry", BBOX(-128.098193, -1.1, -99999.0, 180.0, 90.0, 100000.0))`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-128.098193,-1.1,-99999.0,180.0,90.0,100000.0]}]}`, nil},
	{"example47", `S_DISJOINT("geometry", MULTIPOLYGON (((144.022387 45.176126, -1.1 0.0, 180.0 47.808086, 144.022387 45.176126))))`,
		`{"op":"s_disjoint","args":[{"property":"geometry"},{"type":"MultiPolygon","coordinates":[[[[144.022387,45.176126],[-1.1,0.0],[180.0,47.808086],[144.022387,45.176126]]]]}]}`, nil},
	{"example49", `S_WITHIN(POLYGON Z ((-49.88024 0.5 -75993.341684, -1.5 -0.99999 -100000.0, 0.0 0.5 -0.333333, -49.88024 0.5 -75993.341684), (-65.887123 2.00001 -100000.0, 0.333333 -53.017711 -79471.332949, 180.0 0.0 1852.616704, -65.887123 2.00001 -100000.0)), "geometry")`,
		`{"op":"s_within","args":[{"type":"Polygon","coordinates":[[[-49.88024,0.5,-75993.341684],[-1.5,-0.99999,-100000.0],[0.0,0.5,-0.333333],[-49.88024,0.5,-75993.341684]],[[-65.887123,2.00001,-100000.0],[0.333333,-53.017711,-79471.332949],[180.0,0.0,1852.616704],[-65.887123,2.00001,-100000.0]]]},{"property":"geometry"}]}`, nil},
	{"example52", `S_CONTAINS("geometry", POINT (-3.508362 -1.754181))`,
		`{"op":"s_contains","args":[{"property":"geometry"},{"type":"Point","coordinates":[-3.508362,-1.754181]}]}`, nil},
	{"example53", `T_AFTER("updated_at", DATE('2010-02-10'))`, `{"op":"t_after","args":[{"property":"updated_at"},{"date":"2010-02-10"}]}`, nil},
	{"example54", `T_BEFORE("updated_at", TIMESTAMP('2012-08-10T05:30:00.000000Z'))`,
		`{"op":"t_before","args":[{"property":"updated_at"},{"timestamp":"2012-08-10T05:30:00Z"}]}`, nil},
	{"example55", `T_CONTAINS(INTERVAL('2000-01-01T00:00:00.000000Z', '2005-01-10T01:01:01.393216Z'), INTERVAL(starts_at, ends_at))`,
		`{"op":"t_contains","args":[{"interval":["2000-01-01T00:00:00Z","2005-01-10T01:01:01.393216Z"]},{"interval":[{"property":"starts_at"},{"property":"ends_at"}]}]}`, nil},
	{"example56", `T_DISJOINT(INTERVAL('..', '2005-01-10T01:01:01.393216Z'), INTERVAL(starts_at, ends_at))`,
		`{"op":"t_disjoint","args":[{"interval":["..","2005-01-10T01:01:01.393216Z"]},{"interval":[{"property":"starts_at"},{"property":"ends_at"}]}]}`, nil},
	{"example57", `T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2005-01-10', '2010-02-10'))`,
		`{"op":"t_during","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["2005-01-10","2010-02-10"]}]}`, nil},
	{"example58", `T_EQUALS("updated_at", DATE('1851-04-29'))`, `{"op":"t_equals","args":[{"property":"updated_at"},{"date":"1851-04-29"}]}`, nil},
	{"example61", `T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07T08:21:06.393262Z', '2010-02-10T05:29:20.073225Z'))`,
		`{"op":"t_intersects","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["1991-10-07T08:21:06.393262Z","2010-02-10T05:29:20.073225Z"]}]}`, nil},
	{"example72", `"value" > ("foo" + 10)`, `{"op":">","args":[{"property":"value"},{"op":"+","args":[{"property":"foo"},10]}]}`, nil},
	{"example73", `"value" < ("foo" - 10)`, `{"op":"<","args":[{"property":"value"},{"op":"-","args":[{"property":"foo"},10]}]}`, nil},
	{"example74", `"value" <> (22.1 * "foo")`, `{"op":"<>","args":[{"property":"value"},{"op":"*","args":[22.1,{"property":"foo"}]}]}`, nil},
	{"example75", `"value" = (2 / "foo")`, `{"op":"=","args":[{"property":"value"},{"op":"/","args":[2,{"property":"foo"}]}]}`, nil},
	{"example83 (as s_intersects)", `S_INTERSECTS(MULTIPOINT ((180.0 -0.5), (179.0 -47.121701), (180.0 -0.0), (33.470475 -0.99999), (179.0 -15.333062)), "geometry")`,
		`{"op":"s_intersects","args":[{"type":"MultiPoint","coordinates":[[180.0,-0.5],[179.0,-47.121701],[180.0,-0.0],[33.470475,-0.99999],[179.0,-15.333062]]},{"property":"geometry"}]}`, nil},
	{"example84 (as s_intersects)", `S_INTERSECTS(GEOMETRYCOLLECTION (POINT (1.9 2.00001), POINT (0.0 -2.00001), MULTILINESTRING ((-2.00001 -0.0, -77.292642 -0.5, -87.515626 -0.0, -180.0 12.502773, 21.204842 -1.5, -21.878857 -90.0)), POINT (1.9 0.5), LINESTRING (179.0 1.179148, -148.192487 -65.007816, 0.5 0.333333)), "geometry")`,
		`{"op":"s_intersects","args":[{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1.9,2.00001]},{"type":"Point","coordinates":[0.0,-2.00001]},{"type":"MultiLineString","coordinates":[[[-2.00001,-0.0],[-77.292642,-0.5],[-87.515626,-0.0],[-180.0,12.502773],[21.204842,-1.5],[-21.878857,-90.0]]]},{"type":"Point","coordinates":[1.9,0.5]},{"type":"LineString","coordinates":[[179.0,1.179148],[-148.192487,-65.007816],[0.5,0.333333]]}]},{"property":"geometry"}]}`, nil},
}

// TestStandardExamples parses the text and the JSON form of each example and
// requires the same tree.
func TestStandardExamples(t *testing.T) {
	for _, c := range standardExamples {
		t.Run(c.name, func(t *testing.T) {
			q := maps.Clone(exampleQueryables)
			maps.Copy(q, c.types)
			fromText, err := cql2.Parse(c.text, cql2.LangText, q)
			if err != nil {
				t.Fatalf("text: %v", err)
			}
			fromJSON, err := cql2.Parse(c.json, cql2.LangJSON, q)
			if err != nil {
				t.Fatalf("json: %v", err)
			}
			if !reflect.DeepEqual(fromText, fromJSON) {
				t.Errorf("text and JSON differ:\ntext %s\njson %s", dump(fromText), dump(fromJSON))
			}
			again, err := cql2.Parse(cql2.Text(fromJSON), cql2.LangText, q)
			if err != nil || !reflect.DeepEqual(again, fromJSON) {
				t.Errorf("Text %s does not read back: %v", cql2.Text(fromJSON), err)
			}
		})
	}
}

// exampleQueryables types the properties of the CQL2 standard's examples
// (OGC 21-065r2, Annex B and the schema's examples directory).
var exampleQueryables = cql2.Queryables{
	"city": cql2.String, "balance": cql2.Number, "updated": cql2.Date, "geometry": cql2.Geometry,
	"name": cql2.String, "depth": cql2.Number, "cityName": cql2.String, "category": cql2.Integer,
	"event_time": cql2.Timestamp, "touchdown": cql2.Timestamp, "liftOff": cql2.Timestamp,
	"vehicle_height": cql2.Number, "bridge_clearance": cql2.Number,
	"landsat:scene_id": cql2.String, "eo:instrument": cql2.String, "landsat:wrs_path": cql2.Integer,
	"eo:cloud_cover": cql2.Number, "landsat:wrs_row": cql2.Integer,
	"floors": cql2.Integer, "owner": cql2.String, "swimming_pool": cql2.Boolean, "material": cql2.String,
	"built": cql2.Date, "location": cql2.Geometry, "id": cql2.String, "value": cql2.Number,
	"updated_at": cql2.Timestamp, "starts_at": cql2.Timestamp, "ends_at": cql2.Timestamp, "foo": cql2.Number,
}
