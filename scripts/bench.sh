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
# `go run ./scripts/bench`, which starts the server twice: first without a
# saved tile index (it loads from PostGIS and saves .data/bench-<N>.tile-index),
# last from that file. The database is kept; drop it with
#   psql "$(scripts/pg.sh url)" -c 'DROP DATABASE incidentmap_bench_<N>'
# It always uses the private cluster: DATABASE_URL is ignored.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LOG_PREFIX=bench.sh
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"
cd "$REPO"

N=${BENCH_N:-1000000}
need_number BENCH_N "$N" 1 50000000

scratch_db "incidentmap_bench_$N"
# N synthetic incidents, loaded unless already there; LOAD says how.
synth_ensure "$URL" "$N" "$REPO/.data/bench-$N.load"

CMD="BENCH_N=$N make bench"
[ -n "${MAKELEVEL:-}" ] || CMD="BENCH_N=$N scripts/bench.sh"
log "running the benchmark"
go run ./scripts/bench -db "$URL" -bin bin/incidentmap -n "$N" -out BENCHMARKS.md -cmd "$CMD" -load "$LOAD" \
	-index-snapshot "$REPO/.data/bench-$N.tile-index"
