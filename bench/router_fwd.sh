#!/usr/bin/env bash
# Border-router forwarding over real UDP sockets on loopback (127.253.k.1): a sender thread
# -> 4 router threads on the 3-link path 113 -> 111 -> 110 -> 120 -> a sink socket. Prints
# packets/s per router core (from each router thread's CPU time), end-to-end rate and loss,
# for UDP payloads of 64, 512 and 1400 bytes in four modes: single datagrams with batches of 1
# and 32, then UDP GRO/GSO in the routers, fed single datagrams or GSO runs. Bounded: SECONDS per run (default 2), at most 20 M packets per run.
# Usage: bench/router_fwd.sh [BUILD_DIR] [SECONDS] [MODE]   (MODE: one row kind of the
# table, e.g. gso/32+gso; default all four, see bench/router_fwd.c)
set -euo pipefail
build=${1:-build}
seconds=${2:-2}
mode=${3:-}
bin="$build/bench/router_fwd"
[[ -x "$bin" ]] || { echo "router_fwd.sh: build first ($bin missing)" >&2; exit 1; }
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec timeout $((seconds * 12 + 60)) "$bin" "$seconds" ${mode:+"$mode"}
