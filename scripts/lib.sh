# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
#
#   log MSG...            print a diagnostic to stderr
#   die MSG...            print an error to stderr and exit 1
#   apt_install PKG...    install Debian packages (as root, or through
#                         password-less sudo); fails with one clear line
#                         naming the packages when neither is possible.
#                         Runs `apt-get update` at most once per process.
#
# Callers decide what is missing (by looking for the files or commands they
# need) and pass only those packages, so nothing is installed twice.

log() { printf '%s: %s\n' "${LOG_PREFIX:-incidentmap}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${LOG_PREFIX:-incidentmap}" "$*" >&2; exit 1; }

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
