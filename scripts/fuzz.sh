#!/usr/bin/env bash
# Runs every libFuzzer harness listed in BUILD/fuzzers.txt for SECONDS each, starting from its
# checked-in seed corpus (new inputs go to a scratch copy, never into the tree).
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS}
seconds=${2:-30}
status=0
while IFS='|' read -r name corpus; do
	[[ -n "$name" ]] || continue
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	[[ -d "$corpus" ]] && cp -r "$corpus"/. "$work"/
	echo "fuzz: $name for ${seconds}s"
	if ! "$build/$name" -max_total_time="$seconds" -print_final_stats=0 \
		-artifact_prefix="$build/$name-" "$work" >"$build/$name.log" 2>&1; then
		echo "fuzz: $name FAILED, see $build/$name.log" >&2
		tail -n 40 "$build/$name.log" >&2
		status=1
	fi
	rm -rf "$work"
done <"$build/fuzzers.txt"
exit $status
