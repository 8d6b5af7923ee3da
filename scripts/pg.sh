#!/usr/bin/env bash
# Private PostGIS cluster for development and tests.
#
#   scripts/pg.sh [start|stop|url|standby]     (default: start)
#
# start  installs PostgreSQL 15 + PostGIS if missing, creates the cluster
#        under $REPO/.data/pg if missing, starts it on 127.0.0.1:$PORT,
#        creates the database "incidentmap" with postgis, unaccent, pg_trgm.
# stop   stops the cluster.
# url    prints the URL without starting anything.
# standby  like start, but a missing cluster is made a streaming standby
#        (pg_basebackup -R) of the one at 127.0.0.1:$INCIDENTMAP_PRIMARY_PORT.
#        A standby is read-only: start leaves its settings and databases to
#        its primary (store/storetest.NewStandby runs one in tests).
#
# The LAST line on stdout is the DATABASE_URL; everything else goes to stderr.
# If DATABASE_URL is already set, start/url just print it.
#
# Environment:
#   INCIDENTMAP_PGPORT   TCP port (default 54329), listening on 127.0.0.1 only
#   INCIDENTMAP_PRIMARY_PORT  the primary's port, for standby
#   INCIDENTMAP_PG_FAST  1 = fsync/synchronous_commit/full_page_writes off
#                        (tests, bench); anything else = durable defaults.
#                        Applied live (reload) on every start.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LOG_PREFIX=pg.sh
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"

CMD=${1:-start}
PORT=${INCIDENTMAP_PGPORT:-54329}
DBNAME=incidentmap
PGVER=15
PGBIN=/usr/lib/postgresql/$PGVER/bin
POSTGIS_CONTROL=/usr/share/postgresql/$PGVER/extension/postgis.control
URL="postgres://postgres@127.0.0.1:$PORT/$DBNAME?sslmode=disable"

case "$CMD" in
start | stop | url | standby) ;;
*) die "usage: scripts/pg.sh [start|stop|url|standby]" ;;
esac
case "$PORT" in
'' | *[!0-9]*) die "INCIDENTMAP_PGPORT must be a number, got '$PORT'" ;;
esac

if [ -n "${DATABASE_URL:-}" ] && [ "$CMD" != stop ] && [ "$CMD" != standby ]; then
	printf '%s\n' "$DATABASE_URL"
	exit 0
fi
if [ "$CMD" = url ]; then
	printf '%s\n' "$URL"
	exit 0
fi

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# Keep libpq from picking up the caller's connection settings.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGPASSWORD PGSSLMODE

# as_pg CMD...: run CMD as the cluster owner (postgres when we are root).
# Runs from / so the postgres user never needs access to the caller's cwd,
# and without fd 9 (the lock below) so the server does not inherit the lock.
as_pg() {
	if [ "$IS_ROOT" = 1 ]; then
		(cd / && runuser -u postgres -- "$@") 9>&-
	else
		(cd / && "$@") 9>&-
	fi
}

# psql_q DB SQL...: run each SQL (one -c each, so each is its own
# transaction) through TCP as the postgres role, quietly.
psql_q() {
	local db=$1 sql
	shift
	local -a cs=()
	for sql in "$@"; do cs+=(-c "$sql"); done
	PGCONNECT_TIMEOUT=10 "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -tA \
		-h 127.0.0.1 -p "$PORT" -U postgres -d "$db" "${cs[@]}"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# ---------------------------------------------------------------- packages
ensure_packages() {
	local -a pkgs=()
	if [ ! -x "$PGBIN/postgres" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ] || [ ! -x "$PGBIN/psql" ]; then
		pkgs+=("postgresql-$PGVER")
	fi
	[ -f "$POSTGIS_CONTROL" ] || pkgs+=("postgresql-$PGVER-postgis-3")
	[ "${#pkgs[@]}" -eq 0 ] && return 0
	apt_install "${pkgs[@]}"
	[ -x "$PGBIN/postgres" ] || die "$PGBIN/postgres still missing after installing postgresql-$PGVER"
	[ -f "$POSTGIS_CONTROL" ] || die "$POSTGIS_CONTROL still missing after installing postgresql-$PGVER-postgis-3"
}

# ---------------------------------------------------------------- data dir
# INCIDENTMAP_PGROOT puts a cluster elsewhere (tests start throwaway ones).
ROOT=${INCIDENTMAP_PGROOT:-$REPO/.data}
REPO_DATA=$ROOT/pg
FALLBACK_BASE=/var/tmp/incidentmap-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
FALLBACK_DATA=$FALLBACK_BASE/pg

# pick_datadir [create]: sets DATA. Without "create", only looks for an
# existing cluster (used by stop).
pick_datadir() {
	if [ -f "$REPO_DATA/PG_VERSION" ]; then
		DATA=$REPO_DATA
	elif [ "$IS_ROOT" = 1 ] && [ -f "$FALLBACK_DATA/PG_VERSION" ]; then
		DATA=$FALLBACK_DATA
	elif [ "${1:-}" != create ]; then
		DATA=$REPO_DATA
	elif [ "$IS_ROOT" = 0 ]; then
		mkdir -p "$REPO_DATA"
		chmod 700 "$REPO_DATA"
		DATA=$REPO_DATA
	else
		if ! id -u postgres >/dev/null 2>&1; then
			log "creating system user postgres"
			useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
		fi
		mkdir -p "$REPO_DATA"
		chown postgres: "$REPO_DATA"
		chmod 700 "$REPO_DATA"
		if runuser -u postgres -- test -x "$REPO_DATA" -a -w "$REPO_DATA" 2>/dev/null; then
			DATA=$REPO_DATA
		else
			log "user postgres cannot reach $REPO_DATA; using $FALLBACK_DATA instead"
			rmdir "$REPO_DATA" 2>/dev/null || true
			mkdir -p "$FALLBACK_DATA"
			chown postgres: "$FALLBACK_BASE" "$FALLBACK_DATA"
			chmod 700 "$FALLBACK_DATA"
			DATA=$FALLBACK_DATA
		fi
	fi
	PGLOG=$(dirname "$DATA")/pg.log
}

init_cluster() {
	[ -f "$DATA/PG_VERSION" ] && return 0
	log "initdb $DATA"
	local locale
	for locale in C.UTF-8 C; do
		if as_pg "$PGBIN/initdb" -D "$DATA" --auth=trust -U postgres --encoding=UTF8 \
			--locale="$locale" >"$(dirname "$DATA")/initdb.log" 2>&1; then
			break
		fi
		if [ "$locale" = C ]; then
			cat "$(dirname "$DATA")/initdb.log" >&2
			die "initdb failed (see above)"
		fi
		log "initdb with --locale=$locale failed; retrying with --locale=C"
		find "$DATA" -mindepth 1 -delete
	done
	# Settings that need a restart live in postgresql.conf; port/listen/socket
	# are also passed on the command line at start.
	as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<-'EOF'

		# ---- incidentmap (scripts/pg.sh) ----
		listen_addresses = '127.0.0.1'
		unix_socket_directories = ''
		max_connections = 200
	EOF
}

# make_standby: a missing cluster becomes a copy of the primary's, which
# streams its WAL from it (-R writes primary_conninfo and standby.signal).
# The primary needs a replication line in pg_hba.conf for 127.0.0.1 and
# wal_level replica: initdb's defaults have both.
make_standby() {
	[ -f "$DATA/PG_VERSION" ] && return 0
	local primary=${INCIDENTMAP_PRIMARY_PORT:-}
	case "$primary" in
	'' | *[!0-9]*) die "standby needs INCIDENTMAP_PRIMARY_PORT, the primary's port, got '$primary'" ;;
	esac
	log "pg_basebackup of 127.0.0.1:$primary into $DATA (a streaming standby)"
	as_pg env PGCONNECT_TIMEOUT=10 "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres \
		-D "$DATA" -R -X stream -c fast >&2 || die "pg_basebackup from 127.0.0.1:$primary failed"
}

# SERVER_SETTINGS are given at every start, so an older cluster gets them
# too. A million-row import writes about 3 GB of WAL and pages: with 256 MB
# of shared buffers and 1 GB of WAL between checkpoints it evicted dirty
# pages and checkpointed (writing whole pages again) all along; with these it
# took about 5% less (52.1 s against 49.8 s, by hand). Memory is taken as it is used.
SERVER_SETTINGS="-c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=15min"

# running: is the cluster in $DATA running?
running() { as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

# running_port: the port in postmaster.pid (line 4).
running_port() { sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true; }

start_cluster() {
	if running; then
		local p
		p=$(running_port)
		if [ -n "$p" ] && [ "$p" != "$PORT" ]; then
			log "cluster is running on port $p; restarting it on port $PORT"
			as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2
		else
			return 0
		fi
	fi
	if port_in_use; then
		local dd
		dd=$(psql_q postgres 'SHOW data_directory' 2>/dev/null || true)
		if [ -n "$dd" ] && [ "$dd" -ef "$DATA" ]; then
			log "port $PORT is already served by this cluster"
			return 0
		fi
		die "port 127.0.0.1:$PORT is already in use by another program${dd:+ (PostgreSQL with data directory $dd)}; stop it or set INCIDENTMAP_PGPORT to a free port"
	fi
	log "starting PostgreSQL on 127.0.0.1:$PORT (data $DATA, log $PGLOG)"
	if [ ! -e "$PGLOG" ]; then
		: >"$PGLOG"
		if [ "$IS_ROOT" = 1 ]; then chown postgres: "$PGLOG"; fi
	fi
	if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$PGLOG" -w -t 60 \
		-o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' $SERVER_SETTINGS" start >&2; then
		log "pg_ctl start failed; last lines of $PGLOG:"
		tail -n 30 "$PGLOG" >&2 || true
		die "could not start PostgreSQL"
	fi
}

# apply_tuning: INCIDENTMAP_PG_FAST=1 turns durability off, otherwise back on.
# All three settings are reloadable, so this works on a running cluster.
apply_tuning() {
	local want=on
	[ "${INCIDENTMAP_PG_FAST:-0}" = 1 ] && want=off
	local cur
	cur=$(psql_q postgres "SELECT current_setting('fsync')||','||current_setting('synchronous_commit')||','||current_setting('full_page_writes')")
	[ "$cur" = "$want,$want,$want" ] && return 0
	log "setting fsync/synchronous_commit/full_page_writes = $want"
	local s
	local -a sql=()
	for s in fsync synchronous_commit full_page_writes; do
		if [ "$want" = off ]; then
			sql+=("ALTER SYSTEM SET $s = off")
		else
			sql+=("ALTER SYSTEM RESET $s")
		fi
	done
	psql_q postgres "${sql[@]}" 'SELECT pg_reload_conf()' >/dev/null
}

ensure_database() {
	if [ "$(psql_q postgres "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'")" != 1 ]; then
		log "creating database $DBNAME"
		psql_q postgres "CREATE DATABASE $DBNAME" >/dev/null
	fi
	psql_q "$DBNAME" 'SET client_min_messages = warning;
		CREATE EXTENSION IF NOT EXISTS postgis;
		CREATE EXTENSION IF NOT EXISTS unaccent;
		CREATE EXTENSION IF NOT EXISTS pg_trgm;' >/dev/null
}

# Serialise concurrent runs (two `make test` at once, say).
mkdir -p "$ROOT"
exec 9>"$ROOT/pg.lock"
flock -w 300 9 || die "timed out waiting for $ROOT/pg.lock"

case "$CMD" in
stop)
	pick_datadir
	if [ ! -f "$DATA/PG_VERSION" ]; then
		log "no cluster at $DATA; nothing to stop"
	elif [ ! -x "$PGBIN/pg_ctl" ]; then
		log "$PGBIN/pg_ctl not found; nothing to stop"
	elif running; then
		as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2
	else
		log "cluster at $DATA is not running"
	fi
	;;
start | standby)
	ensure_packages
	pick_datadir create
	if [ "$CMD" = standby ]; then make_standby; else init_cluster; fi
	start_cluster
	if [ ! -f "$DATA/standby.signal" ]; then # a standby takes both from its primary
		apply_tuning
		ensure_database
	fi
	printf '%s\n' "$URL"
	;;
esac
