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
    -- no foreign key: its check would cost each outbox row as much again
    -- (measured: BENCHMARKS.md, "Figures behind the code"); removing a
    -- webhook deletes its rows, and rows whose webhook is gone are never
    -- sent nor listed (every reader joins webhooks)
    webhook_id      bigint NOT NULL,
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
    delivered_at    timestamptz
);

-- The worker's queue: each webhook's pending deliveries in seq order. The
-- log reads the primary key backwards (ids grow with seqs).
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, seq) WHERE state = 'pending';

-- im_webhook_events lists the deliveries of the changes in new_changes:
-- the row of each changed incident now, and the newest version of those
-- that existed before (not for an 'I'), joined to the webhooks whose
-- events take the operation. A statement of many changes (an import) is
-- planned for its size with EXECUTE: set-based joins, not a million
-- lookups. A statement of a few (a write from the API) runs a static
-- statement of lookups by key: EXECUTE would plan it again each time
-- (about 3.5 ms), and a static set-based statement would keep, for every
-- later write of the session, the plan of the first one (PL/pgSQL plans a
-- statement without parameters once), an import's hash joins included.
CREATE FUNCTION im_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks) THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO n FROM new_changes;
    IF n <= 100 THEN
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
            CROSS JOIN LATERAL (SELECT c.op <> 'I' AND coalesce(
                (SELECT coalesce(v.status, CASE WHEN v.data_in_row THEN i.status END) = 'published'
                 FROM incident_versions v LEFT JOIN incidents i ON i.id = v.incident_id
                 WHERE v.incident_id = c.incident_id ORDER BY v.revision DESC LIMIT 1), false) AS was_public) p
        ) e
        JOIN webhooks w ON e.op = ANY (w.events)
        WHERE e.op IS NOT NULL
        ORDER BY e.seq, w.id;
        RETURN NULL;
    END IF;
    EXECUTE $q$
    INSERT INTO webhook_deliveries (webhook_id, seq, incident_id, op, changed_at)
    SELECT w.id, e.seq, e.incident_id, e.op, e.changed_at
    FROM (
        SELECT c.seq, c.incident_id, c.changed_at,
            CASE WHEN c.now_public AND c.was_public THEN 'update'
                 WHEN c.now_public THEN 'create'
                 WHEN c.was_public THEN 'delete' END AS op
        FROM (
            SELECT c.seq, c.incident_id, c.changed_at,
                c.op <> 'D' AND coalesce(i.status = 'published', false) AS now_public,
                c.op <> 'I' AND coalesce(coalesce(pv.status, CASE WHEN pv.data_in_row THEN i.status END) = 'published',
                    false) AS was_public
            FROM new_changes c
            LEFT JOIN incidents i ON i.id = c.incident_id
            LEFT JOIN (
                SELECT DISTINCT ON (v.incident_id) v.incident_id, v.status, v.data_in_row
                FROM incident_versions v
                WHERE v.incident_id IN (SELECT n.incident_id FROM new_changes n WHERE n.op <> 'I')
                ORDER BY v.incident_id, v.revision DESC
            ) pv ON pv.incident_id = c.incident_id
        ) c
    ) e
    JOIN webhooks w ON e.op = ANY (w.events)
    WHERE e.op IS NOT NULL
    ORDER BY e.seq, w.id
    $q$;
    RETURN NULL;
END $$;

CREATE TRIGGER incident_changes_webhook_outbox AFTER INSERT ON incident_changes
    REFERENCING NEW TABLE AS new_changes
    FOR EACH STATEMENT EXECUTE FUNCTION im_webhook_outbox();

COMMIT;
