#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (FUZZTIME, default 8s each).
# The seed corpora and any failing input live in <package>/testdata/fuzz.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime=${FUZZTIME:-8s}
for pkg in ./cql2 ./geo ./ingest ./server ./tiles; do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
		echo "fuzz $pkg $target for $fuzztime"
		for try in 1 2 3; do
			if out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
				break
			fi
			# Go's fuzzer sometimes reports "context deadline exceeded" when
			# its time ends while it minimizes a new interesting input: no
			# failing input is written then. Such a run is tried again, up to three times; a
			# real failure (it writes its input) or a third timeout fails.
			if [ "$try" = 3 ] || grep -q 'Failing input written' <<<"$out" ||
				! grep -q 'context deadline exceeded' <<<"$out"; then
				echo "$out"
				exit 1
			fi
			echo "fuzz $pkg $target: the fuzzer's own time ran out while minimizing; once more"
		done
	done
done
echo "fuzz: every target ran $fuzztime without a failure"
