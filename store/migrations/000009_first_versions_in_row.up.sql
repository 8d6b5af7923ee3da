-- A version may keep its data in the incident's row: data_in_row marks the
-- first version of an incident copied in by an import or synth, whose data
-- is the row itself until the incident first changes; the change copies the
-- row into the version first (see materialize in store/versions.go). A bulk
-- import of 1,000,000 incidents no longer writes every row twice: copying
-- them into their versions took 8 to 11 s and 900 MB (EXPLAIN ANALYZE, 2026-11-25).
BEGIN;
ALTER TABLE incident_versions ADD COLUMN data_in_row boolean NOT NULL DEFAULT false;
COMMIT;
