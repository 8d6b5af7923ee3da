-- Versions become append-only: each records only when it became current;
-- it stays current until the incident's next version. Closing a version no
-- longer rewrites its row (and every index entry of it), which made bulk
-- imports pay twice. as_of reads pick, per incident, the newest version at
-- or before the instant. The spatial and range indexes go: as_of reads are
-- rare and scan by incident.
BEGIN;

ALTER TABLE incident_versions ADD COLUMN valid_from timestamptz;
UPDATE incident_versions SET valid_from = lower(valid);
ALTER TABLE incident_versions ALTER COLUMN valid_from SET NOT NULL;
DROP INDEX incident_versions_valid_idx;
DROP INDEX incident_versions_geom_idx;
ALTER TABLE incident_versions DROP COLUMN valid;

COMMIT;
