-- Webhooks and their durable outbox. Every row that enters the change log
-- (incident_changes) becomes, in the same transaction, one delivery per
-- webhook that subscribed to its operation: a crash after the commit loses
-- no delivery, and a write rolled back delivers nothing. The worker of
-- package webhook sends them after the commit.
--
-- Only what the public sees is announced; the rule compares the
-- incident's public state before and after the change:
--   public before  public after  delivery
--   no             no            none (a draft created or edited, a retraction edited)
--   no             yes           create (published when created, a draft or retraction published)
--   yes            yes           update
--   yes            no            delete (deleted, retracted, turned back into a draft)
-- "After" is the incident's row when the log's statement runs (absent for a
-- 'D'). "Before" is the status of the incident's newest version: the store
-- records a write's version after the write and copies a version kept in
-- the row (data_in_row) out of it before (see store/versions.go), so at
-- this point the newest version is the state before the change. An 'I'
-- was not public before (the incident did not exist), which spares the
-- lookup for imports (whose first versions a bulk load writes before it
-- logs them).
--
-- With no webhook, the trigger returns at once.
BEGIN;

CREATE TABLE webhooks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url         text NOT NULL UNIQUE CHECK (length(url) BETWEEN 1 AND 2048),
    -- the HMAC key of the signatures: kept as given, since signing needs it
    secret      text NOT NULL CHECK (octet_length(secret) BETWEEN 16 AND 256),
    events      text[] NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY['create', 'update', 'delete']),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- the worker that sends this webhook's deliveries now, until when
    lease_owner text,
    lease_until timestamptz
);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,          -- incident_changes.seq
    incident_id     text NOT NULL,
    op              text NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    changed_at      timestamptz NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     integer,                  -- HTTP status of the last attempt; NULL when none came back
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (webhook_id, seq)
);

-- The worker's queue: each webhook's pending deliveries in seq order.
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, seq) WHERE state = 'pending';
-- The delivery log of one webhook, newest first.
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, id);

CREATE FUNCTION im_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_deliveries (webhook_id, seq, incident_id, op, changed_at)
    SELECT w.id, e.seq, e.incident_id, e.op, e.changed_at
    FROM (
        SELECT c.seq, c.incident_id, c.changed_at,
            CASE WHEN now_public AND was_public THEN 'update'
                 WHEN now_public THEN 'create'
                 WHEN was_public THEN 'delete' END AS op
        FROM new_changes c
        CROSS JOIN LATERAL (SELECT c.op <> 'D' AND coalesce(
            (SELECT i.status = 'published' FROM incidents i WHERE i.id = c.incident_id), false) AS now_public) n
        CROSS JOIN LATERAL (SELECT CASE WHEN c.op = 'I' THEN false ELSE coalesce(
            (SELECT coalesce(v.status, CASE WHEN v.data_in_row THEN i.status END) = 'published'
             FROM incident_versions v LEFT JOIN incidents i ON i.id = v.incident_id
             WHERE v.incident_id = c.incident_id ORDER BY v.revision DESC LIMIT 1), false) END AS was_public) p
    ) e
    JOIN webhooks w ON e.op = ANY (w.events)
    WHERE e.op IS NOT NULL
    ORDER BY e.seq, w.id;
    RETURN NULL;
END $$;

CREATE TRIGGER incident_changes_webhook_outbox AFTER INSERT ON incident_changes
    REFERENCING NEW TABLE AS new_changes
    FOR EACH STATEMENT EXECUTE FUNCTION im_webhook_outbox();

COMMIT;
