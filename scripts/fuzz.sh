#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (FUZZTIME, default 8s each).
# The seed corpora and any failing input live in <package>/testdata/fuzz.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime=${FUZZTIME:-8s}
for pkg in ./geo ./server ./tiles; do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
		echo "fuzz $pkg $target for $fuzztime"
		if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
			echo "$out"
			exit 1
		fi
	done
done
echo "fuzz: every target ran $fuzztime without a failure"
