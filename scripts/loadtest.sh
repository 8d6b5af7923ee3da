#!/usr/bin/env bash
# make loadtest: a bounded mixed workload (tiles, items, exports, /map.png,
# writes) against the real server on 127.0.0.1, then SIGTERM under load; the
# figures go to the "Load test" section of BENCHMARKS.md (see
# scripts/loadtest/main.go).
#
#   LOAD_N=N LOAD_SECONDS=S LOAD_CONNS=C scripts/loadtest.sh
#       N  synthetic incidents besides the seed (default 1000000)
#       S  seconds of mixed load (default 60)
#       C  keep-alive connections (default 64)
#
# Starts the private PostGIS (scripts/pg.sh, with INCIDENTMAP_PG_FAST=1),
# creates the scratch database incidentmap_load if missing, builds
# bin/incidentmap, migrates, seeds and loads N synthetic incidents unless the
# database already holds exactly N (so a rerun skips the load), creates an
# editor token for the writes (revoked at the end), then runs
# `go run ./scripts/loadtest`. It always uses the private cluster:
# DATABASE_URL is ignored. Drop the database with
#   psql "$(scripts/pg.sh url)" -c 'DROP DATABASE incidentmap_load'
#
# The machine may be shared: while another benchmark (scripts/bench) or a
# synthetic load (incidentmap synth) runs, it waits for them to end, up to
# LOAD_WAIT seconds (default 3600; 0 = do not wait), since figures measured
# beside them say little.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LOG_PREFIX=loadtest.sh
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"
cd "$REPO"

N=${LOAD_N:-1000000}
SECS=${LOAD_SECONDS:-60}
CONNS=${LOAD_CONNS:-64}
WAIT=${LOAD_WAIT:-3600}
for v in "LOAD_N=$N" "LOAD_SECONDS=$SECS" "LOAD_CONNS=$CONNS" "LOAD_WAIT=$WAIT"; do
	case "${v#*=}" in
	'' | *[!0-9]*) die "${v%%=*} must be a number, got '${v#*=}'" ;;
	esac
done
[ "$N" -ge 0 ] && [ "$N" -le 50000000 ] || die "LOAD_N must be 0..50000000, got $N"
[ "$SECS" -ge 1 ] && [ "$SECS" -le 3600 ] || die "LOAD_SECONDS must be 1..3600, got $SECS"
[ "$CONNS" -ge 2 ] && [ "$CONNS" -le 4096 ] || die "LOAD_CONNS must be 2..4096, got $CONNS"

# wait_quiet: wait while another benchmark or synthetic load runs.
wait_quiet() {
	local waited=0 others
	while others=$(pgrep -af 'scripts/bench|incidentmap synth' | grep -v "^$$ " || true) && [ -n "$others" ]; do
		if [ "$waited" -ge "$WAIT" ]; then
			[ "$WAIT" = 0 ] || die "still busy after ${WAIT}s: $others"
			log "warning: measuring beside another benchmark (LOAD_WAIT=0): $others"
			return 0
		fi
		[ $((waited % 60)) = 0 ] && log "waiting for another benchmark to end: $others"
		sleep 10
		waited=$((waited + 10))
	done
}

export INCIDENTMAP_PG_FAST=1
unset DATABASE_URL
ADMIN_URL=$(bash scripts/pg.sh start | tail -n1)
[ -n "$ADMIN_URL" ] || die "no URL from scripts/pg.sh"
DB=incidentmap_load
URL="${ADMIN_URL%%/incidentmap\?*}/$DB?${ADMIN_URL#*\?}"
PSQL=/usr/lib/postgresql/15/bin/psql

# sql URL SQL...: run each SQL in its own transaction, quietly.
sql() {
	local url=$1 s
	shift
	local -a cs=()
	for s in "$@"; do cs+=(-c "$s"); done
	PGCONNECT_TIMEOUT=10 "$PSQL" -X -q -v ON_ERROR_STOP=1 -tA -d "$url" "${cs[@]}"
}

if [ "$(sql "$ADMIN_URL" "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
	log "creating database $DB"
	sql "$ADMIN_URL" "CREATE DATABASE $DB" >/dev/null
fi
sql "$URL" 'SET client_min_messages = warning;
	CREATE EXTENSION IF NOT EXISTS postgis;
	CREATE EXTENSION IF NOT EXISTS unaccent;
	CREATE EXTENSION IF NOT EXISTS pg_trgm;' >/dev/null

log "building bin/incidentmap"
"${MAKE:-make}" -s build
DATABASE_URL=$URL bin/incidentmap migrate
DATABASE_URL=$URL bin/incidentmap seed >&2
# Test incidents a previous run left behind (its server stopped mid-sequence).
sql "$URL" "DELETE FROM incidents WHERE id LIKE 'loadtest-%'" >/dev/null

# The load line of the last synth into this database, for the report.
NOTE=$REPO/.data/loadtest.load
have=$(sql "$URL" 'SELECT count(*) FROM incidents WHERE synthetic')
if [ "$have" = "$N" ]; then
	log "$DB already holds $N synthetic incidents: not loading again"
	LOAD="$(cat "$NOTE" 2>/dev/null || echo "$N synthetic incidents") (loaded by an earlier run)"
else
	wait_quiet
	if [ "$have" != 0 ]; then
		log "$DB holds $have synthetic incidents, not $N: deleting them"
		sql "$URL" 'DELETE FROM incidents WHERE synthetic' >/dev/null
	fi
	if [ "$N" -gt 0 ]; then
		log "loading $N synthetic incidents (bin/incidentmap synth --count $N)"
		line=$(DATABASE_URL=$URL bin/incidentmap synth --count "$N" | tail -n1)
		log "$line"
	else
		line="no synthetic incidents"
	fi
	log "VACUUM ANALYZE"
	sql "$URL" 'VACUUM (ANALYZE) incidents' 'VACUUM (ANALYZE) claims' 'VACUUM (ANALYZE) sources' >/dev/null
	LOAD="\`bin/incidentmap synth --count $N\`: $line, then VACUUM ANALYZE"
	mkdir -p "$REPO/.data"
	printf '%s\n' "\`bin/incidentmap synth --count $N\`: $line" >"$NOTE"
fi

# An editor token for the writes, passed in the environment (not in argv,
# where ps shows it) and revoked however the run ends.
TOKEN_NAME=loadtest-$(date -u +%Y%m%dT%H%M%S)-$$
LOAD_TOKEN=$(DATABASE_URL=$URL bin/incidentmap token create --name "$TOKEN_NAME" --scope editor | tail -n1)
[ -n "$LOAD_TOKEN" ] || die "no token from bin/incidentmap token create"
export LOAD_TOKEN
trap 'DATABASE_URL=$URL bin/incidentmap token revoke "$TOKEN_NAME" >/dev/null 2>&1 || log "could not revoke token $TOKEN_NAME"' EXIT

CMD="LOAD_N=$N LOAD_SECONDS=$SECS LOAD_CONNS=$CONNS make loadtest"
[ -n "${MAKELEVEL:-}" ] || CMD="LOAD_N=$N LOAD_SECONDS=$SECS LOAD_CONNS=$CONNS scripts/loadtest.sh"
wait_quiet
log "running the load test"
go run ./scripts/loadtest -db "$URL" -bin bin/incidentmap -n "$N" -duration "${SECS}s" -conns "$CONNS" \
	-out BENCHMARKS.md -cmd "$CMD" -load "$LOAD"
