#!/usr/bin/env bash
# make bench: measures vector tiles on N synthetic incidents and writes the
# figures to BENCHMARKS.md (one section per N; see scripts/bench/main.go).
#
#   BENCH_N=N scripts/bench.sh      (default N = 1000000; BENCH_N=10000000 for 10M)
#   BENCH_ONLY=warm scripts/bench.sh   only the warm load (c): wrk against the
#                                   server and a bare net/http handler; replaces
#                                   only the warm figures of the section
#   BENCH_ONLY=cql scripts/bench.sh    only the CQL2 filters (f): cold tiles with
#                                   and without filters the tile index holds,
#                                   items with them, tiles PostGIS builds for
#                                   one it does not; replaces only (f)'s figures
#   BENCH_ONLY=live scripts/bench.sh   only the live streams (h): 1,000 idle
#                                   /changes/stream connections (RSS and CPU
#                                   of the server) and the time from a write
#                                   to its event; replaces only (h)'s figures
#   BENCH_ONLY=pyramid scripts/bench.sh  only the low zoom tiles (g) of issue 15
#                                   (default N = 10000000): tiles' BenchmarkPyramidLowZoom
#                                   builds the index of N synthetic incidents in memory (no
#                                   database; about 3 GB at 10M) and times every tile of
#                                   zooms 0-7 cold by a scan and from the pyramid, side by
#                                   side; replaces only (g)'s figures
#   BENCH_DB=name scripts/bench.sh  use database NAME (default incidentmap_bench_N)
#
# The warm load needs wrk (Debian's package; installed when missing).
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

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets REPO and LOG_PREFIX
cd "$REPO"

ONLY=${BENCH_ONLY:-}
case "$ONLY" in
'' | warm | cql | live | pyramid) ;;
*) die "BENCH_ONLY must be empty, warm, cql, live or pyramid, got '$ONLY'" ;;
esac
DEFAULT_N=1000000
[ "$ONLY" != pyramid ] || DEFAULT_N=10000000
N=${BENCH_N:-$DEFAULT_N}
need_number BENCH_N "$N" 1 50000000

if [ "$ONLY" = pyramid ]; then
	CMD="BENCH_N=$N BENCH_ONLY=pyramid make bench"
	[ -n "${MAKELEVEL:-}" ] || CMD="BENCH_N=$N BENCH_ONLY=pyramid scripts/bench.sh"
	FIGURES=$(mktemp)
	trap 'rm -f "$FIGURES"' EXIT
	log "(g) low zoom: $N synthetic incidents in memory, tiles of zooms 0-7 by a scan and from the pyramid"
	BENCH_PYRAMID_N=$N BENCH_PYRAMID_OUT=$FIGURES \
		go test -run '^$' -bench '^BenchmarkPyramidLowZoom$' -benchtime 1x -timeout 90m ./tiles
	go run ./scripts/bench -only pyramid -pyramid-json "$FIGURES" -n "$N" -out BENCHMARKS.md -cmd "$CMD"
	exit 0
fi
DB=${BENCH_DB:-incidentmap_bench_$N}
case "$DB" in
*[!a-z0-9_]* | '') die "BENCH_DB must be a database name (a-z, 0-9, _), got '$DB'" ;;
esac
command -v wrk >/dev/null 2>&1 || apt_install wrk

scratch_db "$DB"
# N synthetic incidents, loaded unless already there; LOAD says how.
synth_ensure "$URL" "$N" "$REPO/.data/bench-$N.load"

VARS="BENCH_N=$N${ONLY:+ BENCH_ONLY=$ONLY}"
CMD="$VARS make bench"
[ -n "${MAKELEVEL:-}" ] || CMD="$VARS scripts/bench.sh"
log "running the benchmark"
go run ./scripts/bench -db "$URL" -bin bin/incidentmap -n "$N" -out BENCHMARKS.md -cmd "$CMD" -load "$LOAD" \
	-index-snapshot "$REPO/.data/bench-$N.tile-index" \
	${ONLY:+-only "$ONLY"}
