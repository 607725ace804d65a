#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Smoke test of `make demo` (scripts/demo.sh --fast), run by ctest (label integration).
#
#   site A netns ── gateway A ══ seg-testnet multipath.topo (127.N/16) ══ gateway B ── site B netns
#
# 1. A full run: exit status 0, every step's key line, no ✗, and nothing left behind (its
#    namespaces, its processes). The hidden-path step is checked when the hidden-path
#    exchange is in the tree, as the demo itself decides.
# 2. A run stopped with SIGTERM during the gateway step: exit status 143, cleanup done.
# 3. Not root: the demo refuses and says what to run (when setpriv can drop root).
#
# The namespaces get a prefix of their own (segsmoke<PID>), so a demo a person runs at the
# same time is not touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
if [[ ${1:-} == --build-dir ]]; then
	BUILD=$2
fi
if [[ $EUID -ne 0 ]]; then
	echo "SKIP: demo_smoke needs root (network namespaces, TUN devices)"
	exit 77
fi
DEMO=$ROOT/scripts/demo.sh
PREFIX=segsmoke$$
export SEG_DEMO_NS_PREFIX=$PREFIX
OUT=$(mktemp -d /tmp/segsmoke.XXXXXX)
KEPT=
BG=
cleanup() {
	[[ -n $BG ]] && kill -TERM "$BG" 2>/dev/null || true
	[[ -n $BG ]] && wait "$BG" 2>/dev/null || true
	for ns in "$PREFIX-a" "$PREFIX-b"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	[[ -n $KEPT && $KEPT == /tmp/segdemo.* ]] && rm -rf -- "$KEPT"
	rm -rf -- "$OUT"
}
trap cleanup EXIT

failures=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok   $what"
	else
		echo "FAIL $what"
		failures=$((failures + 1))
	fi
}
has() { grep -qE -- "$1" "$OUT/run.out"; }
no_process() { ! pgrep -f "$1" >/dev/null; }
workdir() { sed -n 's/^   ✓ work directory \(\/tmp\/segdemo\.[A-Za-z0-9]*\)$/\1/p' "$1"; }
no_namespaces() { [[ ! -e /var/run/netns/$PREFIX-a && ! -e /var/run/netns/$PREFIX-b ]]; }

# ---- 1. a full run --------------------------------------------------------------------------
rc=0
timeout 150 "$DEMO" --fast --keep --build-dir "$BUILD" >"$OUT/run.out" 2>&1 || rc=$?
cat "$OUT/run.out"
echo "----"
KEPT=$(workdir "$OUT/run.out")
check "exit status 0 (was $rc)" test "$rc" -eq 0
check "no step failed" bash -c "! grep -q '✗' '$OUT/run.out'"
check "testnet up" has '✓ 8 ASes on 127\.[0-9]+\.0\.0/16'
check "seg ping over SCION" has '✓ seg ping A → B over SCION: 3/3 replies'
check "namespaces" has "✓ $PREFIX-a \(site A, 10\.10\.1\.0/24, fd00:10:1::/64\) and $PREFIX-b"
check "handshake" has '✓ handshake: session up in [0-9.]+ ms'
check "path in use" has '✓ path in use A → B: 111 → [0-9 →]+ 131 \([0-9]+ links, RTT [0-9.]+ ms\)'
check "failover" has '✓ gateway A switched to 111 → [0-9 →]+ 131 after <?[0-9]+ ms'
check "ping across" has '✓ ping 10\.10\.2\.1 from site A: avg [0-9.]+ ms, 0% loss'
check "ping across, IPv6" has '✓ ping fd00:10:2::1 from site A: avg [0-9.]+ ms, 0% loss'
check "HTTP page" has '✓ HTTP GET http://10\.10\.2\.1:8080/ from site A: "Hello from site B'
check "HTTP 1 MiB over IPv6" has '✓ HTTP GET http://\[fd00:10:2::1\]:8080/blob \(1 MiB\): SHA-256 matches'
check "outage measured" has '✓ ping every 10 ms from site A: [0-9]+/[0-9]+ replies, [0-9]+ lost, outage [0-9]+ ms'
check "hidden path" has '✓ gateway A switched to the hidden path 111 → 121 → 131'
check "final table" has '^   site A: 1-ff00:0:111,127\.[0-9.]+:31000 → 1-ff00:0:131'
check "final counters" has '^   counters: tx [0-9]+ packets'
check "demo complete" has '✓ demo complete'
check "cleanup line" has "^Cleanup: stopped [0-9]+ processes, deleted $PREFIX-a $PREFIX-b\.$"
check "namespaces deleted" no_namespaces
check "work directory reported and kept" test -n "$KEPT" -a -d "${KEPT:-/nonexistent}"
check "no process of the run left" no_process "${KEPT:-/nonexistent}"

# ---- 2. stopped half-way --------------------------------------------------------------------
"$DEMO" --fast --build-dir "$BUILD" >"$OUT/stop.out" 2>&1 &
BG=$!
for ((i = 0; i < 200; i++)); do
	grep -q '^4\. Gateways' "$OUT/stop.out" && break
	sleep 0.05
done
kill -TERM "$BG"
rc=0
wait "$BG" || rc=$?
BG=
cat "$OUT/stop.out"
echo "----"
check "SIGTERM: exit status 143 (was $rc)" test "$rc" -eq 143
check "SIGTERM: cleanup line" grep -q "^Cleanup: stopped [0-9]* processes, deleted $PREFIX-a $PREFIX-b\.$" \
	"$OUT/stop.out"
check "SIGTERM: namespaces deleted" no_namespaces
WORKDIR=$(workdir "$OUT/stop.out")
check "SIGTERM: work directory reported" test -n "$WORKDIR"
check "SIGTERM: work directory removed" test ! -e "${WORKDIR:-/nonexistent}"
check "SIGTERM: no process of this run left" no_process "${WORKDIR:-/nonexistent}"

# ---- 3. not root ------------------------------------------------------------------------------
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DEMO" >"$OUT/user.out" 2>&1 || rc=$?
	cat "$OUT/user.out"
	check "not root: exit status 1 (was $rc)" test "$rc" -eq 1
	check "not root: says so and what to run" grep -q "needs root.*" "$OUT/user.out"
	check "not root: sudo make demo" grep -q "sudo make demo" "$OUT/user.out"
fi

if ((failures)); then
	echo "demo_smoke: $failures check(s) failed"
	exit 1
fi
echo "demo_smoke: all checks passed"
