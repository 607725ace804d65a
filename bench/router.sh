#!/usr/bin/env bash
# Border-router benchmark: packets/s per core of router_process on a 3-link path, and
# instructions per router_process call from callgrind (difference of two run lengths, so
# that setup cost cancels out). Usage: bench/router.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
bin="$build/bench/router_pps"
[[ -x "$bin" ]] || { echo "router.sh: build first ($bin missing)" >&2; exit 1; }

"$bin"
if ! command -v valgrind >/dev/null; then
	echo "(valgrind not installed: no instruction counts)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ir() { # ir COUNT PAYLOAD -> total instructions
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.$1.$2" "$bin" "$1" "$2" \
		>/dev/null 2>&1
	callgrind_annotate "$work/cg.$1.$2" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
printf '%-12s %-14s\n' udp_payload instr/pkt
for size in 64 512 1400; do
	a=$(ir 2000 "$size")
	b=$(ir 4000 "$size")
	# 2000 more traversals of 4 routers each.
	printf '%-12s %-14s\n' "$size" "$(( (b - a) / (2000 * 4) ))"
done
