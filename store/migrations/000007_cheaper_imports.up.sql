-- Cheaper writes, for imports of a million incidents (issue 6): the
-- database backend limits them, so work moves to the client or goes.
-- Measured by hand on 200,000 incidents (psql \timing, 2026-11-25):
-- * the words of the text index come from the client (package fold) as a
--   tsvector: folding and splitting them in the database (the generated
--   search column and to_tsvector) cost about 3 s, reading them 0.8 s. The
--   client folds with PostgreSQL's own unaccent rules. q keeps its meaning:
--   every word of a term starts a word of the text;
-- * actors_folded is written by the client too, with the same folding
--   (triggers fill both in for writers that bypass the store);
-- * time windows are answered by a GiST index of each incident's
--   (start, end) as a point: an incident overlaps [a, b) when its point lies
--   in the box start < b, end >= a. PostGIS builds it sorted, in 0.4 s
--   where the range index took 1.0 s; the generated during column goes;
-- * the space-and-time index gives way to a sorted spatial index (0.3 s
--   against 0.9 s); a box and a window combine the two indexes;
-- * points skip GEOS in the validity check (0.5 s against 0.2 s);
-- * no B-tree on event_type or country: a handful of values each, which
--   the planner would not use.
BEGIN;

-- im_words is what package fold computes: the folded words of a text (runs
-- of letters and digits), for versions read as of an instant and the rows
-- stored before this migration.
CREATE FUNCTION im_words(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT w)), ''::tsvector)
    FROM regexp_split_to_table(im_fold($1), '[^[:alnum:]]+') AS w
    WHERE w <> '' AND octet_length(w) <= 2046
$$;

-- im_time_point is an incident's time as a point: x its start, y its end,
-- in seconds since 1970. Written with immutable parts only (a difference
-- of timestamps, not extract, which depends on the time zone in general),
-- the planner inlines it: an index build then costs a third.
CREATE FUNCTION im_time_point(starts_at timestamptz, ends_at timestamptz) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT ST_MakePoint(date_part('epoch', starts_at - '1970-01-01 00:00:00+00'::timestamptz),
        date_part('epoch', ends_at - '1970-01-01 00:00:00+00'::timestamptz))
$$;

DROP INDEX incidents_words_idx;
DROP INDEX incidents_during_idx;
DROP INDEX incidents_geom_during_idx;
DROP INDEX incidents_event_type_idx;
DROP INDEX incidents_country_idx;

ALTER TABLE incidents ALTER COLUMN actors_folded DROP EXPRESSION;
ALTER TABLE incidents ADD COLUMN words tsvector;
UPDATE incidents SET words = im_words(title || ' ' || summary || ' ' || location || ' ' || admin1 || ' ' ||
    admin2 || ' ' || array_to_string(actors, ' | '));
ALTER TABLE incidents ALTER COLUMN words SET NOT NULL, ALTER COLUMN actors_folded SET NOT NULL,
    DROP COLUMN search, DROP COLUMN during;

ALTER TABLE incidents DROP CONSTRAINT incidents_geom_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_geom_check
    CHECK (ST_GeometryType(geom) = 'ST_Point' OR ST_IsValid(geom));

-- Writers that bypass the store (SQL by hand) get the search columns
-- computed here: on insert when they leave them out, on update when they
-- change the text but not the words. The store always sets them, so the
-- triggers do not fire for it; a bulk import disables the insert trigger,
-- since any row trigger makes COPY insert row by row.
CREATE FUNCTION im_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.words := im_words(NEW.title || ' ' || NEW.summary || ' ' || NEW.location || ' ' || NEW.admin1 || ' ' ||
        NEW.admin2 || ' ' || array_to_string(NEW.actors, ' | '));
    NEW.actors_folded := im_fold(NEW.actors);
    RETURN NEW;
END $$;

CREATE TRIGGER incidents_search_insert BEFORE INSERT ON incidents FOR EACH ROW
    WHEN (NEW.words IS NULL OR NEW.actors_folded IS NULL)
    EXECUTE FUNCTION im_search_columns();
CREATE TRIGGER incidents_search_update BEFORE UPDATE ON incidents FOR EACH ROW
    WHEN (NEW.words IS NULL OR NEW.actors_folded IS NULL
        OR (NEW.title, NEW.summary, NEW.location, NEW.admin1, NEW.admin2, NEW.actors)
            IS DISTINCT FROM (OLD.title, OLD.summary, OLD.location, OLD.admin1, OLD.admin2, OLD.actors)
        AND NEW.words = OLD.words AND NEW.actors_folded = OLD.actors_folded)
    EXECUTE FUNCTION im_search_columns();

CREATE INDEX incidents_words_idx ON incidents USING gin (words);
CREATE INDEX incidents_geom_idx ON incidents USING gist (geom);
CREATE INDEX incidents_time_idx ON incidents USING gist (im_time_point(starts_at, ends_at));

DROP FUNCTION im_query(text[]);

COMMIT;
