#!/bin/bash
# SPDX-License-Identifier: MIT
# Two seg gateways with the IP adapter over seg-testnet's tiny topology. Needs root (CI is
# root); exits 77 (skipped) otherwise. Every address and route lives inside the two
# namespaces this script creates; the root namespace only carries seg-testnet's loopback.
#
#   ns segA-$$                                                     ns segB-$$
#   lo: 10.81.1.10, fd81:1::10                                     lo: 10.81.2.10, fd81:2::10
#   TUN segtun 10.81.1.1/32 ◄─ gw A (root ns, 1-ff00:0:111)        TUN segtun 10.81.2.1/32
#     subnets 10.81.1.0/24, fd81:1::/64   │                          subnets 10.81.2.0/24,
#                                         │                          fd81:2::/64
#                                         └── SCION: 111 ─ 110 ─ 112 ── gw B (1-ff00:0:112)
#   (link 110-111 has MTU 1280, so full-size TUN packets are fragmented by the gateways)
#
# Checks: routes installed from the announcements; ping v4 and v6; large pings; an HTTP
# transfer of a random file v4 and v6 with sha256; ICMP net unreachable for an unannounced
# destination; the route removed after gateway B stops (peer down + hold time).
#
# usage: ip_adapter.sh SEG_BIN SEG_TESTNET_BIN SOURCE_DIR
set -euo pipefail
SEG=$1
TESTNET=$2
SRC=$3
PY=/usr/bin/python3
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for t in ip ping curl; do command -v $t >/dev/null || { echo "SKIP: no $t"; exit 77; }; done
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }

NSA=segA-$$
NSB=segB-$$
DIR=$(mktemp -d /tmp/seg-ip-adapter.XXXXXX)
PIDS=()
GWB=

cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		for f in "$DIR"/*.log; do echo "== $f"; tail -n 40 "$f"; done
	fi
	rm -rf "$DIR"
	exit $rc
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
inA() { ip netns exec "$NSA" "$@"; }
inB() { ip netns exec "$NSB" "$@"; }

ip netns add "$NSA"
ip netns add "$NSB"
inA ip link set lo up
inB ip link set lo up
inA ip addr add 10.81.1.10/32 dev lo
inA ip addr add fd81:1::10/128 dev lo
inB ip addr add 10.81.2.10/32 dev lo
inB ip addr add fd81:2::10/128 dev lo

"$TESTNET" run "$SRC/topologies/tiny.topo" --dir "$DIR/net" --net auto >"$DIR/testnet.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$DIR/net/testnet.pid" ] && [ -f "$DIR/net/testnet.json" ] && break; sleep 0.1; done
[ -f "$DIR/net/testnet.json" ] || fail "seg-testnet did not start"
read -r HOST_A DAEMON_A HOST_B DAEMON_B < <($PY - "$DIR/net/testnet.json" <<'PYEOF'
import json, sys
doc = json.load(open(sys.argv[1]))
by = {a["ia"]: a for a in doc["ases"]}
a, b = by["1-ff00:0:111"], by["1-ff00:0:112"]
print(a["host_ip"], a["daemon"], b["host_ip"], b["daemon"])
PYEOF
)

for side in a b; do
	if [ $side = a ]; then
		ME="1-ff00:0:111,$HOST_A"; PEER="1-ff00:0:112,$HOST_B"; D=$DAEMON_A; N=1; NS=$NSA
	else
		ME="1-ff00:0:112,$HOST_B"; PEER="1-ff00:0:111,$HOST_A"; D=$DAEMON_B; N=2; NS=$NSB
	fi
	cat >"$DIR/$side.yaml" <<YEOF
address: $ME:31020
daemonAddr: $D
controlSocket: $DIR/$side.sock
adapterConfPath: $DIR/$side-adapter.yaml
remotes:
  - address: $PEER:31020
    allowedSubnets: [10.81.0.0/16, "fd81::/16"]
YEOF
	cat >"$DIR/$side-adapter.yaml" <<YEOF
addr: 10.81.$N.1
subnet: [10.81.$N.0/24, "fd81:$N::/64"]
tunName: segtun
mtu: 1280
netns: $NS
YEOF
done

"$SEG" run -conf "$DIR/b.yaml" -log.console debug >"$DIR/gw-b.log" 2>&1 &
GWB=$!
PIDS+=($GWB)
"$SEG" run -conf "$DIR/a.yaml" -log.console debug >"$DIR/gw-a.log" 2>&1 &
PIDS+=($!)

# Routes from the announcements (bounded wait: handshake, paths, control channel).
for _ in $(seq 150); do
	inA ip -o route show 10.81.2.0/24 | grep -q segtun && inB ip -o route show 10.81.1.0/24 | grep -q segtun && break
	sleep 0.2
done
inA ip -o route show 10.81.2.0/24 | grep -q segtun || fail "no route to B's subnet in A"
inB ip -o route show 10.81.1.0/24 | grep -q segtun || fail "no route to A's subnet in B"
inA ip -6 -o route show fd81:2::/64 | grep -q segtun || fail "no IPv6 route to B's subnet in A"
echo "routes installed"

inA ping -c 3 -W 2 -I 10.81.1.10 10.81.2.10 >"$DIR/ping4.log" || fail "ping IPv4"
inA ping -6 -c 3 -W 2 -I fd81:1::10 fd81:2::10 >"$DIR/ping6.log" || fail "ping IPv6"
# Full-size packets: 1252 + 28 = 1280, more than the 1280-byte link 110-111 carries with
# the SCION overhead, so the gateways fragment them (docs/ip-adapter.md "MTU decision").
inA ping -c 3 -W 2 -M do -s 1252 -I 10.81.1.10 10.81.2.10 >"$DIR/ping-big.log" || fail "ping 1280 bytes"
# Larger than the TUN MTU: the kernel fragments before the TUN (DF clear).
inA ping -c 2 -W 2 -M dont -s 3000 -I 10.81.1.10 10.81.2.10 >"$DIR/ping-frag.log" || fail "ping 3028 bytes"
echo "ping ok (v4, v6, 1280 and 3028 bytes)"

# TCP: a random 2 MiB file over HTTP, v4 and v6, checked by sha256.
head -c 2097152 /dev/urandom >"$DIR/blob"
WANT=$(sha256sum <"$DIR/blob" | cut -d' ' -f1)
inB $PY -m http.server 8081 --bind 10.81.2.10 --directory "$DIR" >"$DIR/http4.log" 2>&1 &
PIDS+=($!)
inB $PY -m http.server 8082 --bind fd81:2::10 --directory "$DIR" >"$DIR/http6.log" 2>&1 &
PIDS+=($!)
sleep 1
GOT=$(inA curl -sf --max-time 30 --interface 10.81.1.10 http://10.81.2.10:8081/blob | sha256sum | cut -d' ' -f1)
[ "$GOT" = "$WANT" ] || fail "HTTP over IPv4: sha256 differs"
GOT=$(inA curl -sf --max-time 30 -g --interface fd81:1::10 "http://[fd81:2::10]:8082/blob" | sha256sum | cut -d' ' -f1)
[ "$GOT" = "$WANT" ] || fail "HTTP over IPv6: sha256 differs"
echo "TCP transfer ok (v4, v6)"

# No route: a destination no peer announced, sent into the TUN by a test route inside A's
# namespace; the adapter answers ICMP net unreachable, which ping reports.
inA ip route add 10.82.0.0/16 dev segtun
inA ping -c 1 -W 2 -I 10.81.1.10 10.82.0.1 >"$DIR/ping-noroute.log" 2>&1 || true
grep -q "Unreachable" "$DIR/ping-noroute.log" || fail "no ICMP unreachable for an unannounced destination"
echo "no route: ICMP unreachable seen"

# Gateway B stops: A sees its peer down, and after the hold time removes the routes.
kill "$GWB"
wait "$GWB" 2>/dev/null || true
for _ in $(seq 300); do
	inA ip -o route show 10.81.2.0/24 | grep -q segtun || break
	sleep 0.2
done
! inA ip -o route show 10.81.2.0/24 | grep -q segtun || fail "route to B's subnet still there 60 s after B stopped"
echo "route removed after B stopped"
echo "PASS"
