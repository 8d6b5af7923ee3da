-- The baseline of `make bench` (scripts/bench reads this file): the tile a
-- plain PostGIS tile server makes for a table layer, as pg_tileserv does,
-- with the time filter added. The tile envelope (plus a 64/4096 margin) is
-- transformed to 4326 so that the GiST index on incidents.geom serves the
-- box test, as pg_tileserv does; the GiST index of each incident's time as a
-- point (migration 7) may serve the time test. Every matching incident
-- becomes one feature: no aggregation, no feature limit.
--   $1 z, $2 x, $3 y: the tile
--   $4, $5: the window [start, end), timestamptz
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS e,
           ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326) AS e4326
), mvt AS (
    SELECT ST_AsMVTGeom(ST_Transform(i.geom, 3857), b.e, 4096, 64, true) AS geom,
           i.id, i.title, i.event_type, i.starts_at, i.ends_at, i.fatalities_best
    FROM incidents i, b
    WHERE i.geom && b.e4326
      AND im_time_point(i.starts_at, i.ends_at)
          && ST_MakeEnvelope(-1e15, extract(epoch FROM $4::timestamptz), extract(epoch FROM $5::timestamptz), 1e15)
      AND i.starts_at < $5 AND i.ends_at >= $4
      AND i.status = 'published'
)
SELECT ST_AsMVT(mvt.*, 'incidents') FROM mvt
