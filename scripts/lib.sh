# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
#
#   log MSG...            print a diagnostic to stderr
#   die MSG...            print an error to stderr and exit 1
#   apt_install PKG...    install Debian packages (as root, or through
#                         password-less sudo); fails with one clear line
#                         naming the packages when neither is possible.
#                         Runs `apt-get update` at most once per process.
#   pg_sql URL SQL...     run each SQL in its own transaction with the private
#                         cluster's psql, quietly; prints the rows, unaligned.
#   scratch_db DB         start the private PostGIS (scripts/pg.sh, with
#                         INCIDENTMAP_PG_FAST=1 exported and DATABASE_URL
#                         unset: never another database), create database DB
#                         there if missing (with postgis, unaccent, pg_trgm),
#                         build bin/incidentmap, migrate and seed DB. Sets URL
#                         to DB's URL.
#   synth_ensure URL N NOTE [CMD...]
#                         make the database at URL hold exactly N synthetic
#                         incidents: kept when it does (a rerun skips the
#                         load), else deleted and N loaded with
#                         `bin/incidentmap synth`, then VACUUM ANALYZE; CMD
#                         runs first when it loads. Sets LOAD, how the data
#                         was loaded (for the report); the file NOTE keeps
#                         synth's last line for the runs that reuse the data.
#
# Callers decide what is missing (by looking for the files or commands they
# need) and pass only those packages, so nothing is installed twice.
#
# Sourcing it sets REPO, the repository's root, and LOG_PREFIX, unless the
# caller set it, to the caller's file name (bench.sh):
#
#   set -euo pipefail
#   # shellcheck source=scripts/lib.sh
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# scratch_db and synth_ensure run from the repository root (the callers cd
# there) and must not be called in a condition, where `set -e` is off.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LOG_PREFIX=${LOG_PREFIX:-$(basename "$0")}

log() { printf '%s: %s\n' "${LOG_PREFIX:-incidentmap}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${LOG_PREFIX:-incidentmap}" "$*" >&2; exit 1; }

# need_number NAME VALUE MIN MAX: dies unless VALUE is a whole number in
# MIN..MAX; NAME (the variable it came from) is named in the message.
need_number() {
	case "$2" in
	'' | *[!0-9]*) die "$1 must be a number, got '$2'" ;;
	esac
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || die "$1 must be $3..$4, got $2"
}

_APT_UPDATED=${_APT_UPDATED:-0}

# Prints the command prefix that runs a command as root ("" or "sudo -n"),
# or fails when there is none.
_root_prefix() {
	if [ "$(id -u)" -eq 0 ]; then
		printf ''
	elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
		printf 'sudo -n'
	else
		return 1
	fi
}

apt_install() {
	[ "$#" -gt 0 ] || return 0
	local pfx
	if ! pfx=$(_root_prefix); then
		die "missing Debian package(s): $* -- install them as root: apt-get install -y $*"
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "missing Debian package(s): $* -- and apt-get is not available on this machine"
	local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 --no-install-recommends)
	# shellcheck disable=SC2206  # pfx is "" or "sudo -n"
	local -a run=($pfx)
	local t0=$SECONDS
	if [ "$_APT_UPDATED" != 1 ]; then
		log "apt-get update"
		"${run[@]}" "${apt[@]}" update >&2 || die "apt-get update failed (needed to install: $*)"
		_APT_UPDATED=1
	fi
	log "installing Debian package(s): $*"
	"${run[@]}" "${apt[@]}" install "$@" >&2 || die "apt-get install failed: $*"
	log "installed $* in $((SECONDS - t0))s"
}

# The private cluster's psql (scripts/pg.sh).
_PSQL=/usr/lib/postgresql/15/bin/psql

pg_sql() {
	local url=$1 s
	shift
	local -a cs=()
	for s in "$@"; do cs+=(-c "$s"); done
	PGCONNECT_TIMEOUT=10 "$_PSQL" -X -q -v ON_ERROR_STOP=1 -tA -d "$url" "${cs[@]}"
}

scratch_db() {
	local db=$1 admin
	export INCIDENTMAP_PG_FAST=1
	unset DATABASE_URL
	admin=$(bash scripts/pg.sh start | tail -n1)
	[ -n "$admin" ] || die "no URL from scripts/pg.sh"
	URL="${admin%%/incidentmap\?*}/$db?${admin#*\?}"
	if [ "$(pg_sql "$admin" "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
		log "creating database $db"
		pg_sql "$admin" "CREATE DATABASE $db" >/dev/null
	fi
	pg_sql "$URL" 'SET client_min_messages = warning;
		CREATE EXTENSION IF NOT EXISTS postgis;
		CREATE EXTENSION IF NOT EXISTS unaccent;
		CREATE EXTENSION IF NOT EXISTS pg_trgm;' >/dev/null

	log "building bin/incidentmap"
	"${MAKE:-make}" -s build
	DATABASE_URL=$URL bin/incidentmap migrate
	DATABASE_URL=$URL bin/incidentmap seed >&2
}

# shellcheck disable=SC2034  # LOAD is for the caller
synth_ensure() {
	local url=$1 n=$2 note=$3 db have line
	shift 3
	db=${url%%\?*}
	db=${db##*/}
	have=$(pg_sql "$url" 'SELECT count(*) FROM incidents WHERE synthetic')
	if [ "$have" = "$n" ]; then
		log "$db already holds $n synthetic incidents: not loading again"
		LOAD="$(cat "$note" 2>/dev/null || echo "$n synthetic incidents") (loaded by an earlier run)"
		return 0
	fi
	[ "$#" -eq 0 ] || "$@"
	if [ "$have" != 0 ]; then
		log "$db holds $have synthetic incidents, not $n: deleting them"
		pg_sql "$url" 'DELETE FROM incidents WHERE synthetic' >/dev/null
	fi
	if [ "$n" -gt 0 ]; then
		log "loading $n synthetic incidents (bin/incidentmap synth --count $n)"
		line=$(DATABASE_URL=$url bin/incidentmap synth --count "$n" | tail -n1)
		log "$line"
	else
		line="no synthetic incidents"
	fi
	log "VACUUM ANALYZE"
	pg_sql "$url" 'VACUUM (ANALYZE) incidents' >/dev/null  # claims and sources live in the incidents' rows
	LOAD="\`bin/incidentmap synth --count $n\`: $line, then VACUUM ANALYZE"
	mkdir -p "$(dirname "$note")"
	printf '%s\n' "\`bin/incidentmap synth --count $n\`: $line" >"$note"
}
