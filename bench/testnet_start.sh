#!/bin/sh
# SPDX-License-Identifier: MIT
# Start time and memory of seg-testnet: for each topology, runs `seg-testnet run` RUNS times
# and prints the time until testnet.json is written (the network is up: routers, daemons,
# keys, segments) and the process's RSS and thread count once it runs. Loopback only.
#
# usage: bench/testnet_start.sh [BUILD_DIR] [RUNS] [TOPO...]
#        (defaults: build, 5, topologies/twenty.topo topologies/multipath.topo)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
shift 2 2>/dev/null || shift $#
topos=${*:-topologies/twenty.topo topologies/multipath.topo}
bin="$build/seg-testnet"
[ -x "$bin" ] || { echo "no $bin: run 'make build' first" >&2; exit 1; }

dir=$(mktemp -d /tmp/seg-testnet-bench-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }

printf '%-28s %5s %10s %10s %10s %8s\n' topology ASes "start ms" "max ms" "RSS KiB" threads
for topo in $topos; do
	total=0 max=0 rss=0 threads=0 ases=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		rm -rf "$dir/net"
		t0=$(now_ms)
		"$bin" run "$topo" --dir "$dir/net" --net auto >/dev/null 2>"$dir/err" &
		pid=$!
		# Bounded wait: 10 s at most.
		n=0
		until [ -f "$dir/net/testnet.pid" ]; do
			n=$((n + 1))
			if [ "$n" -gt 2000 ] || ! kill -0 "$pid" 2>/dev/null; then
				echo "seg-testnet did not start:" >&2
				cat "$dir/err" >&2
				exit 1
			fi
			sleep 0.005
		done
		t=$(($(now_ms) - t0))
		total=$((total + t))
		[ "$t" -gt "$max" ] && max=$t
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
		threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
		ases=$(grep -c '"ia":' "$dir/net/testnet.json")
		kill -TERM "$pid"
		wait "$pid" || { echo "seg-testnet exited with an error" >&2; exit 1; }
		pid=
		i=$((i + 1))
	done
	printf '%-28s %5s %10s %10s %10s %8s\n' "$(basename "$topo")" "$ases" \
		"$((total / runs))" "$max" "$rss" "$threads"
done
