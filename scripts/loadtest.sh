#!/usr/bin/env bash
# make loadtest: a bounded mixed workload (tiles, items, exports, /map.png,
# writes) against the real server on 127.0.0.1, then SIGTERM under load; the
# figures go to the "Load test" section of BENCHMARKS.md (see
# scripts/loadtest/main.go).
#
#   LOAD_N=N LOAD_SECONDS=S LOAD_CONNS=C LOAD_RATE=R LOAD_ABUSE=A scripts/loadtest.sh
#       N  synthetic incidents besides the seed (default 1000000)
#       S  seconds of each mixed load (default 60)
#       C  keep-alive connections (default 64)
#       R  reads a second of the second, paced run (default 700; 0: none);
#          the first run is a closed loop, which measures the capacity
#       A  reads a second of the third run, paced, beside an abusive client
#          (PostGIS-built tiles, huge pages, slow readers, export bursts;
#          scripts/loadtest/abuser.go) (default 500; 0: none)
#   LOAD_DB=name scripts/loadtest.sh  use database NAME (default incidentmap_load)
#
# Starts the private PostGIS (scripts/pg.sh, with INCIDENTMAP_PG_FAST=1),
# creates the scratch database incidentmap_load (LOAD_DB) if missing, builds
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

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets REPO and LOG_PREFIX
cd "$REPO"

N=${LOAD_N:-1000000}
SECS=${LOAD_SECONDS:-60}
CONNS=${LOAD_CONNS:-64}
RATE=${LOAD_RATE:-700}
ABUSE=${LOAD_ABUSE:-500}
WAIT=${LOAD_WAIT:-3600}
need_number LOAD_N "$N" 0 50000000
need_number LOAD_SECONDS "$SECS" 1 3600
need_number LOAD_CONNS "$CONNS" 2 4096
need_number LOAD_RATE "$RATE" 0 100000
need_number LOAD_ABUSE "$ABUSE" 0 100000
need_number LOAD_WAIT "$WAIT" 0 86400
DB=${LOAD_DB:-incidentmap_load}
case "$DB" in
*[!a-z0-9_]* | '') die "LOAD_DB must be a database name (a-z, 0-9, _), got '$DB'" ;;
esac

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

scratch_db "$DB"
# Test incidents a previous run left behind (its server stopped mid-sequence).
pg_sql "$URL" "DELETE FROM incidents WHERE id LIKE 'loadtest-%'" >/dev/null
# N synthetic incidents, loaded unless already there (not beside another
# benchmark); LOAD says how.
NOTE=$REPO/.data/loadtest.load
[ "$DB" = incidentmap_load ] || NOTE=$REPO/.data/loadtest-$DB.load
synth_ensure "$URL" "$N" "$NOTE" wait_quiet

# An editor token for the writes, passed in the environment (not in argv,
# where ps shows it) and revoked however the run ends.
TOKEN_NAME=loadtest-$(date -u +%Y%m%dT%H%M%S)-$$
LOAD_TOKEN=$(DATABASE_URL=$URL bin/incidentmap token create --name "$TOKEN_NAME" --scope editor | tail -n1)
[ -n "$LOAD_TOKEN" ] || die "no token from bin/incidentmap token create"
export LOAD_TOKEN
trap 'DATABASE_URL=$URL bin/incidentmap token revoke "$TOKEN_NAME" >/dev/null 2>&1 || log "could not revoke token $TOKEN_NAME"' EXIT

SETTINGS="LOAD_N=$N LOAD_SECONDS=$SECS LOAD_CONNS=$CONNS LOAD_RATE=$RATE LOAD_ABUSE=$ABUSE"
CMD="$SETTINGS make loadtest"
[ -n "${MAKELEVEL:-}" ] || CMD="$SETTINGS scripts/loadtest.sh"
wait_quiet
log "running the load test"
go run ./scripts/loadtest -db "$URL" -bin bin/incidentmap -n "$N" -duration "${SECS}s" -conns "$CONNS" -rate "$RATE" \
	-abuse-rate "$ABUSE" -out BENCHMARKS.md -cmd "$CMD" -load "$LOAD"
