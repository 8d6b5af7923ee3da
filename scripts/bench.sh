#!/usr/bin/env bash
# make bench: measures vector tiles on N synthetic incidents and writes the
# figures to BENCHMARKS.md (one section per N; see scripts/bench/main.go).
#
#   BENCH_N=N scripts/bench.sh      (default N = 1000000; BENCH_N=10000000 for 10M)
#
# Starts the private PostGIS (scripts/pg.sh, with INCIDENTMAP_PG_FAST=1),
# creates the scratch database incidentmap_bench_<N> if missing, builds
# bin/incidentmap, migrates, seeds and loads N synthetic incidents unless the
# database already holds exactly N (so a rerun skips the load), then runs
# `go run ./scripts/bench`. The database is kept; drop it with
#   psql "$(scripts/pg.sh url)" -c 'DROP DATABASE incidentmap_bench_<N>'
# It always uses the private cluster: DATABASE_URL is ignored.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LOG_PREFIX=bench.sh
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"
cd "$REPO"

N=${BENCH_N:-1000000}
case "$N" in
'' | *[!0-9]*) die "BENCH_N must be a number, got '$N'" ;;
esac
if [ "$N" -lt 1 ] || [ "$N" -gt 50000000 ]; then
	die "BENCH_N must be 1..50000000, got $N"
fi

export INCIDENTMAP_PG_FAST=1
unset DATABASE_URL
ADMIN_URL=$(bash scripts/pg.sh start | tail -n1)
[ -n "$ADMIN_URL" ] || die "no URL from scripts/pg.sh"
DB=incidentmap_bench_$N
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

# The load line of the last synth into this database, for the report.
NOTE=$REPO/.data/bench-$N.load
have=$(sql "$URL" 'SELECT count(*) FROM incidents WHERE synthetic')
if [ "$have" = "$N" ]; then
	log "$DB already holds $N synthetic incidents: not loading again"
	LOAD="$(cat "$NOTE" 2>/dev/null || echo "$N synthetic incidents") (loaded by an earlier run)"
else
	if [ "$have" != 0 ]; then
		log "$DB holds $have synthetic incidents, not $N: deleting them"
		sql "$URL" 'DELETE FROM incidents WHERE synthetic' >/dev/null
	fi
	log "loading $N synthetic incidents (bin/incidentmap synth --count $N)"
	line=$(DATABASE_URL=$URL bin/incidentmap synth --count "$N" | tail -n1)
	log "$line"
	log "VACUUM ANALYZE"
	sql "$URL" 'VACUUM (ANALYZE) incidents' 'VACUUM (ANALYZE) claims' 'VACUUM (ANALYZE) sources' >/dev/null
	LOAD="\`bin/incidentmap synth --count $N\`: $line, then VACUUM ANALYZE"
	mkdir -p "$REPO/.data"
	printf '%s\n' "\`bin/incidentmap synth --count $N\`: $line" >"$NOTE"
fi

CMD="BENCH_N=$N make bench"
[ -n "${MAKELEVEL:-}" ] || CMD="BENCH_N=$N scripts/bench.sh"
log "running the benchmark"
go run ./scripts/bench -db "$URL" -bin bin/incidentmap -n "$N" -out BENCHMARKS.md -cmd "$CMD" -load "$LOAD"
