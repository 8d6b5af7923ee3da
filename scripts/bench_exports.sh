#!/usr/bin/env bash
# bench_exports.sh BINARY: what huge and slow exports cost the server that
# BINARY runs on $DATABASE_URL (e.g. 1M incidents from `incidentmap synth`).
#   (a) RSS growth while 4 clients (X-Forwarded-For, from loopback: a
#       trusted proxy) export ?f=csv&limit=2147483647 at full
#       speed (sampled every 0.2 s for DURATION seconds, default 40);
#   (b) 30 CSV exports read at 2 KB/s for 30 s, from one client and then
#       from 30 (both through X-Forwarded-For); 8 s in, the time and status of
#       ?q=moura&limit=5, and how each export was answered (000: no
#       answer within 30 s).
# Every process it starts is stopped when it ends.
set -euo pipefail
bin=${1:?usage: bench_exports.sh BINARY}
duration=${DURATION:-40}
port=${PORT:-18093}
base="http://127.0.0.1:$port"
items="$base/collections/incidents/items"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

INCIDENTMAP_ADDR=127.0.0.1:$port "$bin" serve >/dev/null 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 600); do # the index is ready when a page answers from it quickly
	if curl -sf "$base/readyz" 2>/dev/null | grep -q '"ready":true}'; then break; fi
	sleep 0.5
done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
sleep 2
before=$(rss)
echo "(a) 4 x ?f=csv&limit=2147483647 at full speed for ${duration}s; RSS before: $((before / 1024)) MB"
tmp=$(mktemp -d)
for i in 1 2 3 4; do
	curl -s -o /dev/null --max-time "$duration" -w '%{size_download}\n' -H "X-Forwarded-For: 203.0.113.$i" \
		"$items?f=csv&limit=2147483647" >"$tmp/a$i" 2>/dev/null &
	pids+=("$!")
done
peak=$before
end=$((SECONDS + duration + 1))
while ((SECONDS < end)); do
	now=$(rss)
	((now > peak)) && peak=$now
	sleep 0.2
done
wait "${pids[@]:1}" 2>/dev/null || true
echo "    peak RSS growth: $(((peak - before) / 1024)) MB; bytes per client: $(cat "$tmp"/a* | tr '\n' ' ')"

slow() { # slow LABEL: 30 exports at 2 KB/s (from 30 clients when MANY is set), then the search
	local label=$1
	local ps=()
	for i in $(seq 30); do
		local h=(-H "X-Forwarded-For: 198.51.100.1")
		[[ -n ${MANY:-} ]] && h=(-H "X-Forwarded-For: 198.51.100.$i")
		curl -s -o /dev/null --limit-rate 2k --max-time 30 -w '%{http_code}\n' "${h[@]}" "$items?f=csv" >"$tmp/s$i" 2>/dev/null &
		ps+=("$!")
	done
	sleep 8
	local t
	t=$(curl -s -o /dev/null --max-time 60 -w '%{http_code} in %{time_total} s' "$items?q=moura&limit=5" || true)
	wait "${ps[@]}" 2>/dev/null || true # each export ends after 30 s
	echo "    $label: search $t; export answers: $(sort "$tmp"/s* | uniq -c | awk '{printf "%s x %s, ", $1, $2}')"
	rm -f "$tmp"/s*
	sleep 2
}
echo "(b) 30 CSV exports read at 2 KB/s, then ?q=moura&limit=5"
slow "one client"
MANY=1 slow "30 clients"
rm -rf "$tmp"
