#!/usr/bin/env bash
# dbtile-burst.sh BASE PID [N] [TIMEOUT]
#
# Fires N (default 12) concurrent z0 tiles that PostGIS must build
# (q=synthetic, a distinct window each, so neither the cache nor the
# singleflight shares them) at the server at BASE (http://host:port) whose
# process is PID, and prints each answer's status and time (curl gives up
# after TIMEOUT seconds, default 60: status 000), then the server's RSS before,
# at its peak during the burst, and after. Run it against a database loaded
# with `incidentmap synth`, once the tile index is loaded (/readyz).
set -euo pipefail
base=$1 pid=$2 n=${3:-12} timeout=${4:-60}
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }
before=$(rss)
out=$(mktemp)
start=$(date +%s.%N)
for k in $(seq 1 "$n"); do
	window=$(printf '2019-%02d-%02d/..' $(((k - 1) % 12 + 1)) $(((k - 1) / 12 + 1)))
	curl -s -o /dev/null -m "$timeout" -w "%{http_code} %{time_total} %header{retry-after}\n" \
		"$base/tiles/0/0/0.mvt?q=synthetic&datetime=$window" >>"$out" &
done
peak=$before
while [ -n "$(jobs -rp)" ]; do
	r=$(rss)
	((r > peak)) && peak=$r
	sleep 0.1
done
wait
echo "status seconds retry-after"
sort "$out"
printf 'wall %.1f s; RSS before %d MB, peak %d MB (+%d MB), after %d MB\n' \
	"$(echo "$(date +%s.%N) - $start" | bc)" $((before / 1024)) $((peak / 1024)) $(((peak - before) / 1024)) $(($(rss) / 1024))
rm -f "$out"
