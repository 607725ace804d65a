#!/usr/bin/env bash
# Gateway handshake benchmark (bench/handshake.c): one gateway with N remotes answered by
# simulated peers on loopback, with an in-process daemon. Prints, per N: gateway start ->
# first data delivered, start -> all N sessions up, heap and RSS per peer (idle configured,
# and up and idle), and the daemon calls made. Targets (bench/README.md): 1000 peers up in
# < 2 s; <= 16 KiB of gateway memory per idle peer.
# Usage: bench/handshake.sh [BUILD_DIR] [N...]   (default N: 1 10 100 1000)
set -euo pipefail
build=build
if [[ $# -gt 0 && ! $1 =~ ^[0-9]+$ ]]; then
	build=$1
	shift
fi
bin="$build/bench/handshake"
[[ -x "$bin" ]] || { echo "handshake.sh: build first ($bin missing)" >&2; exit 1; }
ns=("$@")
[[ ${#ns[@]} -gt 0 ]] || ns=(1 10 100 1000)

printf '%6s %13s %10s %14s %14s %14s %11s %11s\n' peers first_data_ms all_up_ms \
	heap_idle_KiB/p heap_up_KiB/p rss_up_KiB/p drkey_calls paths_calls
declare -A heap idle
for n in "${ns[@]}"; do
	line=$(timeout 120 "$bin" "$n")
	get() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$line"; }
	printf '%6s %13s %10s %14s %14s %14s %11s %11s\n' "$n" "$(get first_data_ms)" \
		"$(get all_up_ms)" "$(get heap_idle_kib_per_peer)" "$(get heap_up_kib_per_peer)" \
		"$(get rss_up_kib_per_peer)" "$(get daemon_drkey_calls)" "$(get daemon_paths_calls)"
	heap[$n]=$(get heap_up_total_mib)
	idle[$n]=$(get heap_idle_total_mib)
done
# The fixed cost (daemon, gRPC, buffers) cancels out in the slope between two runs.
if [[ -n ${heap[100]:-} && -n ${heap[1000]:-} ]]; then
	awk -v a="${heap[100]}" -v b="${heap[1000]}" -v c="${idle[100]}" -v d="${idle[1000]}" 'BEGIN {
		printf "slope 100 -> 1000 peers: heap per idle peer %.1f KiB, per up peer %.1f KiB\n",
			(d - c) * 1024 / 900, (b - a) * 1024 / 900 }'
fi
