-- Change numbers become visible in commit order. A reader of the change
-- log (the tile index's refresh, a /changes client) reads the changes
-- after the last seq it saw, and so must never see seq n+1 committed while
-- seq n may still commit. Until now a writer drew its seqs (the change
-- log's trigger) before it took the data_version row lock (the version
-- bump, whose trigger fires after), so a PATCH could draw seq 10, wait for
-- the lock behind an import, and commit after the import's seqs 11 to
-- 20 000: every reader had passed 10 by then and never saw it.
--
-- Now no row enters incident_changes before its transaction holds the
-- data_version row lock, which every write takes (the bump) and keeps
-- until it commits: a statement trigger on the log itself takes it, so
-- every path is covered (the triggers on incidents, a bulk import's
-- logChanges, SQL by hand). Writers then draw their seqs one transaction
-- after another, in the order they commit, and a transaction that has not
-- committed holds only seqs above every committed one. The sequence must
-- keep CACHE 1 (its default), or sessions would draw from blocks of their
-- own.
--
-- Why the lock and not the other way (readers stopping below the oldest
-- transaction in flight, from an xid column and pg_snapshot_xmin): writes
-- already serialise on that row lock from their first change to their
-- commit, so taking it a moment earlier costs nothing, for single writes
-- and imports alike (an import took it at its first COPY before, and
-- still does). The other way writes 8 more bytes per change (a million on
-- a bulk import), makes every read of the log compare snapshots, and
-- stalls every reader behind any long transaction in the database, not
-- only behind writers. The lock's trigger costs writes and imports nothing
-- measurable (BENCHMARKS.md, "Figures behind the code").
BEGIN;

CREATE FUNCTION im_lock_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM data_version FOR NO KEY UPDATE;
    RETURN NULL;
END $$;

CREATE TRIGGER incident_changes_after_data_version_lock BEFORE INSERT ON incident_changes
    FOR EACH STATEMENT EXECUTE FUNCTION im_lock_data_version();

COMMIT;
