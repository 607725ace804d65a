#!/bin/bash
# SPDX-License-Identifier: MIT
# The UDP batching code where loopback cuts GSO runs before the device: runs the UDP batch
# and border-router unit tests again inside a network namespace this script creates, with
# that namespace's own loopback set to `tx-udp-segmentation off` (what a user does to
# capture packet by packet, docs/testnet.md). The host's loopback is never touched. Needs
# root and ethtool; exits 77 (skipped) otherwise.
#
# usage: udp_offload_off.sh TEST_UDP_BATCH TEST_ROUTER_IO
set -euo pipefail
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for t in ip ethtool; do command -v $t >/dev/null || { echo "SKIP: no $t"; exit 77; }; done

NS=segoff-$$
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
if ! ip netns exec "$NS" ethtool -K lo tx-udp-segmentation off 2>/dev/null; then
	echo "SKIP: this kernel's loopback has no switchable UDP segmentation offload"
	exit 77
fi
ip netns exec "$NS" ethtool -k lo | grep -q '^tx-udp-segmentation: off' ||
	{ echo "FAIL: tx-udp-segmentation still on"; exit 1; }
for t in "$@"; do
	echo "== $(basename "$t") with tx-udp-segmentation off"
	ip netns exec "$NS" timeout 60 "$t"
done
