#!/bin/bash
# SPDX-License-Identifier: MIT
# Two seg gateways with the UDP service adapter over seg-testnet's tiny topology; no root.
#
#    client ──UDP──► 127.0.0.1:$FWD_ECHO ┐                     ┌► echo   127.0.0.1:$ECHO
#    client ──UDP──► 127.0.0.1:$FWD_SEC  ┤ gw A (1-ff00:0:111)  │  secret 127.0.0.1:$SECRET
#                                        └──── SCION ─────── gw B (1-ff00:0:112)
#                            111 ── child ── 110 (core) ── child ── 112
#
# B exposes "echo" to everyone and "secret" only to a gateway that is not A. The client gets
# its echoes back through A; nothing reaches "secret", and A's datagrams for it are dropped.
#
# usage: udp_adapter.sh SEG_BIN SEG_TESTNET_BIN SOURCE_DIR
set -euo pipefail
SEG=$1
TESTNET=$2
SRC=$3
PY=/usr/bin/python3
DIR=$(mktemp -d /tmp/seg-udp-adapter.XXXXXX)
PIDS=()

cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ $rc -ne 0 ]; then
		for f in "$DIR"/*.log; do echo "== $f"; tail -n 40 "$f"; done
	fi
	rm -rf "$DIR"
	exit $rc
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

free_port() { $PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

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

ECHO=$(free_port); SECRET=$(free_port); FWD_ECHO=$(free_port); FWD_SEC=$(free_port)

# UDP servers: echo answers; secret records what it gets (it must get nothing).
$PY - "$ECHO" "$SECRET" "$DIR/secret.got" >"$DIR/servers.log" 2>&1 <<'PYEOF' &
import select, socket, sys, time
e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); e.bind(("127.0.0.1", int(sys.argv[1])))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[2])))
end = time.monotonic() + 120
while time.monotonic() < end:
    r, _, _ = select.select([e, s], [], [], 0.5)
    for x in r:
        data, addr = x.recvfrom(65535)
        if x is e:
            e.sendto(data, addr)
        else:
            open(sys.argv[3], "ab").write(data)
PYEOF
PIDS+=($!)

cat >"$DIR/a.yaml" <<YEOF
address: 1-ff00:0:111,$HOST_A:31010
daemonAddr: $DAEMON_A
controlSocket: $DIR/a.sock
adapterConfPath: $DIR/a-udp.yaml
remotes:
  - address: 1-ff00:0:112,$HOST_B:31010
YEOF
cat >"$DIR/a-udp.yaml" <<YEOF
type: udp
forwards:
  - listen: 127.0.0.1:$FWD_ECHO
    peer: 1-ff00:0:112,$HOST_B
    service: echo
  - listen: 127.0.0.1:$FWD_SEC
    peer: 1-ff00:0:112,$HOST_B
    service: secret
YEOF
cat >"$DIR/b.yaml" <<YEOF
address: 1-ff00:0:112,$HOST_B:31010
daemonAddr: $DAEMON_B
controlSocket: $DIR/b.sock
adapterConfPath: $DIR/b-udp.yaml
remotes:
  - address: 1-ff00:0:111,$HOST_A:31010
YEOF
cat >"$DIR/b-udp.yaml" <<YEOF
type: udp
services:
  - name: echo
    address: 127.0.0.1:$ECHO
  - name: secret
    address: 127.0.0.1:$SECRET
    allowedPeers: ["1-ff00:0:110,$HOST_A"]
YEOF

"$SEG" run -conf "$DIR/b.yaml" -log.console debug >"$DIR/gw-b.log" 2>&1 &
PIDS+=($!)
"$SEG" run -conf "$DIR/a.yaml" -log.console debug >"$DIR/gw-a.log" 2>&1 &
PIDS+=($!)

# The client: retries until the session is up and the service list arrived (bounded), then
# 50 datagrams of different sizes, each echoed intact; then the secret service, unreachable.
$PY - "$FWD_ECHO" "$FWD_SEC" <<'PYEOF' || fail "client"
import os, socket, sys, time
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(0.3)
dst = ("127.0.0.1", int(sys.argv[1]))
end = time.monotonic() + 30
while True:
    if time.monotonic() > end:
        sys.exit("no echo within 30 s")
    c.sendto(b"hello", dst)
    try:
        if c.recv(65535) == b"hello":
            break
    except socket.timeout:
        pass
ok = 0
for i in range(50):
    msg = os.urandom(1 + i * 37)
    for attempt in range(5):
        c.sendto(msg, dst)
        try:
            if c.recv(65535) == msg:
                ok += 1
                break
        except socket.timeout:
            pass
if ok != 50:
    sys.exit("only %d of 50 datagrams echoed" % ok)
print("echo: 50/50")
c.settimeout(1.0)
for i in range(5):
    c.sendto(b"let me in", ("127.0.0.1", int(sys.argv[2])))
    try:
        data = c.recv(65535)
        sys.exit("secret service answered: %r" % data)
    except socket.timeout:
        pass
print("secret: no answer")
PYEOF
[ ! -s "$DIR/secret.got" ] || fail "the unexposed service received datagrams"
grep -q "offers 1 services" "$DIR/gw-a.log" || fail "A was not told of exactly one service"
echo "PASS"
