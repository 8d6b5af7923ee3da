-- Writes: API tokens (only hashes), a revision number per incident for
-- optimistic concurrency, and every version of every incident with the
-- interval in which it was current, which serves revisions, as_of reads and
-- the change feed.
BEGIN;

CREATE TABLE tokens (
    id         text PRIMARY KEY,           -- public part of the token
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    scope      text NOT NULL CHECK (scope IN ('editor', 'admin')),
    hash       bytea NOT NULL,             -- SHA-256 of the secret part
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

ALTER TABLE incidents ADD COLUMN revision integer NOT NULL DEFAULT 1;

CREATE TABLE incident_versions (
    incident_id    text NOT NULL,
    revision       integer NOT NULL,
    op             char(1) NOT NULL CHECK (op IN ('I', 'U', 'D')),
    author         text NOT NULL DEFAULT '',     -- token name, or the command that wrote it
    changes        jsonb,                        -- RFC 7396 merge patch from the previous version
    valid          tstzrange NOT NULL,           -- when this version was current
    -- the incident as it was (NULL columns for a deletion)
    title           text,
    summary         text,
    event_type      text,
    sub_event_type  text,
    geom            geometry(Geometry, 4326),
    location        text,
    place_id        text,
    country         char(2),
    admin1          text,
    admin2          text,
    geo_precision   text,
    starts_at       timestamptz,
    ends_at         timestamptz,
    date_precision  text,
    actors          text[],
    fatalities_low  integer,
    fatalities_best integer,
    fatalities_high integer,
    status          text,
    external_ids    jsonb,
    synthetic       boolean,
    created_at      timestamptz,
    updated_at      timestamptz,
    claims          jsonb,
    sources         jsonb,
    PRIMARY KEY (incident_id, revision)
);

-- The incidents already stored become their own first versions.
INSERT INTO incident_versions (incident_id, revision, op, author, valid, title, summary, event_type,
    sub_event_type, geom, location, place_id, country, admin1, admin2, geo_precision, starts_at, ends_at,
    date_precision, actors, fatalities_low, fatalities_best, fatalities_high, status, external_ids, synthetic,
    created_at, updated_at, claims, sources)
SELECT i.id, i.revision, 'I', 'migration', tstzrange(i.updated_at, NULL), i.title, i.summary, i.event_type,
    i.sub_event_type, i.geom, i.location, i.place_id, i.country, i.admin1, i.admin2, i.geo_precision,
    i.starts_at, i.ends_at, i.date_precision, i.actors, i.fatalities_low, i.fatalities_best, i.fatalities_high,
    i.status, i.external_ids, i.synthetic, i.created_at, i.updated_at,
    coalesce((SELECT jsonb_agg(jsonb_build_object('claimant', c.claimant, 'claimed_on', c.claimed_on,
        'fatalities_low', c.fatalities_low, 'fatalities_high', c.fatalities_high, 'statement', c.statement,
        'source', c.source_url) ORDER BY c.position) FROM claims c WHERE c.incident_id = i.id), '[]'),
    coalesce((SELECT jsonb_agg(jsonb_build_object('url', s.url, 'publisher', s.publisher, 'title', s.title,
        'published_on', s.published_on, 'language', s.language, 'note', s.note) ORDER BY s.position)
        FROM sources s WHERE s.incident_id = i.id), '[]')
FROM incidents i;

CREATE INDEX incident_versions_valid_idx ON incident_versions USING gist (valid);
CREATE INDEX incident_versions_geom_idx ON incident_versions USING gist (geom);

COMMIT;
