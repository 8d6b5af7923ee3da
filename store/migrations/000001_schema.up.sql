-- The incident store: incidents with their claims and sources, the places
-- gazetteer with control periods, and a data version bumped by every write.
BEGIN;

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- im_fold folds text for accent- and case-insensitive matching. unaccent() is
-- only STABLE (it reads a dictionary by name); naming the dictionary makes the
-- wrapper safe to declare IMMUTABLE, so it can feed indexes.
CREATE FUNCTION im_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE FUNCTION im_fold(text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT im_fold(array_to_string($1, ' | ')) $$;

CREATE TABLE incidents (
    id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    summary         text NOT NULL DEFAULT '',
    event_type      text NOT NULL CHECK (event_type IN ('battles', 'explosions_remote_violence',
                        'violence_against_civilians', 'protests', 'riots', 'strategic_developments')),
    sub_event_type  text NOT NULL DEFAULT '',
    geom            geometry(Geometry, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    location        text NOT NULL DEFAULT '',
    place_id        text,
    country         char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    admin1          text NOT NULL DEFAULT '',
    admin2          text NOT NULL DEFAULT '',
    geo_precision   text NOT NULL CHECK (geo_precision IN ('exact', 'near', 'admin2', 'admin1', 'region', 'country')),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at >= starts_at),
    date_precision  text NOT NULL CHECK (date_precision IN ('day', 'week', 'month', 'year')),
    actors          text[] NOT NULL DEFAULT '{}',
    fatalities_low  integer CHECK (fatalities_low >= 0),
    fatalities_best integer CHECK (fatalities_best >= 0),
    fatalities_high integer CHECK (fatalities_high >= 0),
    status          text NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published', 'retracted')),
    external_ids    jsonb NOT NULL DEFAULT '{}',
    synthetic       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    during          tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[]')) STORED,
    search          text GENERATED ALWAYS AS (im_fold(title || ' ' || summary || ' ' || location || ' ' ||
                        admin1 || ' ' || admin2 || ' ' || im_fold(actors))) STORED,
    actors_folded   text GENERATED ALWAYS AS (im_fold(actors)) STORED
);

CREATE INDEX incidents_geom_idx ON incidents USING gist (geom);
CREATE INDEX incidents_during_idx ON incidents USING gist (during);
CREATE INDEX incidents_order_idx ON incidents (starts_at, id);
CREATE INDEX incidents_search_idx ON incidents USING gin (search gin_trgm_ops);
CREATE INDEX incidents_actors_idx ON incidents USING gin (actors_folded gin_trgm_ops);
CREATE INDEX incidents_event_type_idx ON incidents (event_type);
CREATE INDEX incidents_country_idx ON incidents (country);
CREATE INDEX incidents_admin1_idx ON incidents (im_fold(admin1));
CREATE INDEX incidents_external_ids_idx ON incidents USING gin (external_ids jsonb_path_ops);

CREATE TABLE sources (
    incident_id  text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    url          text NOT NULL,
    publisher    text NOT NULL DEFAULT '',
    title        text NOT NULL DEFAULT '',
    published_on date,
    language     text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, position)
);

CREATE TABLE claims (
    incident_id     text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    claimant        text NOT NULL,
    claimed_on      date,
    fatalities_low  integer CHECK (fatalities_low >= 0),
    fatalities_high integer CHECK (fatalities_high >= 0),
    statement       text NOT NULL DEFAULT '',
    source_url      text NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, position)
);

CREATE TABLE places (
    id                text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    name              text NOT NULL,
    alt_names         text[] NOT NULL DEFAULT '{}',
    kind              text NOT NULL CHECK (kind IN ('city', 'town', 'village', 'military_base', 'camp')),
    country           char(2) NOT NULL,
    admin1            text NOT NULL DEFAULT '',
    admin2            text NOT NULL DEFAULT '',
    geom              geometry(Point, 4326) NOT NULL,
    geo_precision     text NOT NULL CHECK (geo_precision IN ('exact', 'near', 'admin2', 'admin1', 'region', 'country')),
    geo_note          text NOT NULL DEFAULT '',
    note              text NOT NULL DEFAULT '',
    coordinate_source text NOT NULL DEFAULT '',
    names_folded      text GENERATED ALWAYS AS (im_fold(name || ' | ' || im_fold(alt_names))) STORED
);

CREATE INDEX places_geom_idx ON places USING gist (geom);
CREATE INDEX places_names_idx ON places USING gin (names_folded gin_trgm_ops);

CREATE TABLE place_control (
    place_id   text NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    holder     text NOT NULL,
    valid_from date,
    valid_to   date CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    source     text NOT NULL DEFAULT '',
    note       text NOT NULL DEFAULT '',
    PRIMARY KEY (place_id, position)
);

-- data_version counts writes. Every statement that changes the data bumps it
-- and notifies listeners, so caches (ETags, tiles) know what to drop.
CREATE TABLE data_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint NOT NULL,
    changed   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_version (version) VALUES (1);

CREATE FUNCTION im_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    UPDATE data_version SET version = version + 1, changed = now() RETURNING version INTO v;
    PERFORM pg_notify('incidentmap_changes', TG_TABLE_NAME || ':' || v);
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION im_bump_version();
CREATE TRIGGER sources_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sources
    FOR EACH STATEMENT EXECUTE FUNCTION im_bump_version();
CREATE TRIGGER claims_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON claims
    FOR EACH STATEMENT EXECUTE FUNCTION im_bump_version();
CREATE TRIGGER places_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON places
    FOR EACH STATEMENT EXECUTE FUNCTION im_bump_version();
CREATE TRIGGER place_control_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON place_control
    FOR EACH STATEMENT EXECUTE FUNCTION im_bump_version();

COMMIT;
