-- incident_changes logs which incidents each write touched, numbered by a
-- sequence (seq), so that tile indexes on every server instance can apply
-- exactly those changes (and, later, a change feed can serve them).
-- Statement-level triggers with transition tables keep bulk loads fast: one
-- INSERT ... SELECT per statement, not one per row.
--
-- Here a seq is drawn when the row is logged, not when its transaction
-- commits, so seqs may become visible out of order; migration 000010 makes
-- them visible in commit order.
BEGIN;

CREATE TABLE incident_changes (
    seq         bigserial PRIMARY KEY,
    incident_id text NOT NULL,
    op          char(1) NOT NULL CHECK (op IN ('I', 'U', 'D')),
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION im_log_incident_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_changes (incident_id, op) SELECT id, 'I' FROM new_rows;
    RETURN NULL;
END $$;

CREATE FUNCTION im_log_incident_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_changes (incident_id, op) SELECT id, 'U' FROM new_rows;
    RETURN NULL;
END $$;

CREATE FUNCTION im_log_incident_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_changes (incident_id, op) SELECT id, 'D' FROM old_rows;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_log_inserts AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION im_log_incident_inserts();
CREATE TRIGGER incidents_log_updates AFTER UPDATE ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION im_log_incident_updates();
CREATE TRIGGER incidents_log_deletes AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION im_log_incident_deletes();

COMMIT;
