#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make demo: two sites talking over a local SCION network, with failover (docs/demo.md).
#
#   netns segdemo-a (site A)                         netns segdemo-b (site B)
#   10.10.1.0/24, fd00:10:1::/64                     10.10.2.0/24, fd00:10:2::/64
#   lo fd00:10:1::1                                  lo fd00:10:2::1
#   ping, curl ── seg-a: TUN 10.10.1.1               seg-b: TUN 10.10.2.1 ── http.server :8080
#                   ^ created in the namespace         ^ created in the namespace
#  ═════════════════│══════ root namespace: loopback only ══│══════════════════════════════
#   seg run (gateway A)                                seg run (gateway B)
#   1-ff00:0:111,127.N.7.1:31000 ◄── DRKey session ──► 1-ff00:0:131,127.N.8.1:31000
#                   │                                   │
#   seg-testnet run topologies/multipath.topo: routers and daemons on 127.N.0.0/16
#
#            110 ══════════ 120 ══════════ 130          ══ core links (and 110 ══ 130)
#           /   \            │            /   \
#        112     \          121 (R)      /     132      112 ── 132 peering link
#         │ \     \        ┊    \       /     / │
#         │  └─────\───────┊─────\─────/─────┘  │       121 ┈┈ 111 hidden link:
#         └─────── 111 (A) ┘      131 (B) ──────┘       A → R → B, used when no public
#                                                        path is left
#
# Steps: build; testnet; site namespaces; gateways (handshake, path in use); ping and HTTP
# from A to B; the active link down with ping running (outage until failover); every public
# link of A down (traffic on the hidden path); final table (seg status).
#
# Addresses: the SCION underlay and the gateways use only 127.N.0.0/16 (loopback); the sites'
# 10.10.x addresses exist only inside the two namespaces this script creates. Every process,
# namespace and file it created is removed on exit, on an error and on Ctrl-C.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/demo.sh [--fast] [--hold] [--keep] [--build-dir DIR]
  --fast           shorter traffic phases (also SEG_DEMO_FAST=1); for tests
  --hold           leave everything running at the end until Ctrl-C, to try it by hand
  --keep           keep the work directory (configurations, logs) after exit
  --build-dir DIR  where seg and seg-testnet are built (default: build/)
Runs as root: it creates network namespaces and TUN devices. See docs/demo.md.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SEG_BUILD_DIR:-$ROOT/build}
FAST=${SEG_DEMO_FAST:-0}
HOLD=0
KEEP=${SEG_DEMO_KEEP:-0}
while (($#)); do
	case $1 in
	--fast) FAST=1 ;;
	--hold) HOLD=1 ;;
	--keep) KEEP=1 ;;
	--build-dir)
		[[ $# -ge 2 ]] || { usage >&2; exit 2; }
		BUILD=$(cd "$2" && pwd)
		shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "demo: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

PY=/usr/bin/python3
UTIL=$ROOT/scripts/demo/demo_util.py
TOPO=$ROOT/topologies/multipath.topo
SEG=$BUILD/seg
TESTNET=$BUILD/seg-testnet
IA_A=1-ff00:0:111
IA_B=1-ff00:0:131
IA_R=1-ff00:0:121
NS_PREFIX=${SEG_DEMO_NS_PREFIX:-segdemo}
NS_A=$NS_PREFIX-a
NS_B=$NS_PREFIX-b
NET_A=10.10.1.0/24
NET_B=10.10.2.0/24
TUN_IP_A=10.10.1.1
TUN_IP_B=10.10.2.1
NET6_A=fd00:10:1::/64 # IPv6: the sites' hosts are on lo inside the namespaces
NET6_B=fd00:10:2::/64
IP6_A=fd00:10:1::1
IP6_B=fd00:10:2::1
PORT=31000          # gateways' underlay port, inside the dispatched range 31000-32767
HTTP_PORT=8080
PING_MS=10          # the outage is measured with one echo every 10 ms
PING_INTERVAL=0.0$PING_MS
if [[ $FAST == 1 ]]; then
	LEAD=0.5 TAIL=1
else
	LEAD=1 TAIL=2
fi

# ---- output --------------------------------------------------------------------------------

step() { printf '\n%s. %s\n' "$1" "$2"; }
ok() { printf '   \342\234\223 %s\n' "$*"; }
fail() {
	printf '   \342\234\227 %s\n' "$*"
	show_logs
	exit 1
}
# The last lines of the testnet's and the gateways' logs (without the per-path "up" lines).
show_logs() {
	local f
	for f in "${WORK:-/nonexistent}"/testnet.log "${WORK:-/nonexistent}"/{a,b}/seg.log; do
		[[ -s $f ]] || continue
		printf '   --- last lines of %s ---\n' "$f"
		grep -Ev ': path [0-9]+ up$|^  1-' "$f" | tail -n 10 | sed 's/^/   | /'
	done
}
util() { "$PY" "$UTIL" "$@"; }
# The active path of the gateway at control socket $1, into HOPS, RTT, FIRST, ROUTE.
active_path() {
	local line
	line=$(util active "$SEG" "$1") || fail "no active path at $1"
	IFS='|' read -r _ HOPS RTT _ FIRST ROUTE <<<"$line"
}

# ---- cleanup: only what this script started or created -------------------------------------

PIDS=()
NETNS_MADE=()
WORK=
cleanup() {
	local rc=$? pid ns i n=0
	trap - EXIT INT TERM
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		pid=${PIDS[i]}
		kill -TERM "$pid" 2>/dev/null && n=$((n + 1)) || true
	done
	for pid in "${PIDS[@]}"; do
		for ((i = 0; i < 30; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for ns in "${NETNS_MADE[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	if [[ -n $WORK && -d $WORK ]]; then
		if [[ $KEEP == 1 ]]; then
			echo "   (work directory kept: $WORK)"
		else
			rm -rf -- "$WORK"
		fi
	fi
	printf '\nCleanup: stopped %d processes, deleted %s.\n' "$n" \
		"${NETNS_MADE[*]:-no namespaces}"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "interrupted"; exit 130' INT
trap 'exit 143' TERM

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
	local limit=$1 deadline
	shift
	deadline=$(($(date +%s%N) + ${limit%.*} * 1000000000))
	until "$@" >/dev/null 2>&1; do
		(($(date +%s%N) < deadline)) || return 1
		sleep 0.05
	done
}
alive() { kill -0 "$1" 2>/dev/null; }

# ---- 0. preconditions ------------------------------------------------------------------------

printf 'seg demo: two sites over a local SCION network (%s)\n' "${TOPO#"$ROOT"/}"
if [[ $EUID -ne 0 ]]; then
	printf '   \342\234\227 the demo needs root: it creates network namespaces and TUN devices.\n'
	printf '     Run it as root:  sudo make demo   (or: sudo %s)\n' "$0"
	trap - EXIT
	exit 1
fi
for tool in ip ping "$PY"; do
	command -v "$tool" >/dev/null || {
		echo "   ✗ '$tool' is missing: run scripts/bootstrap.sh (as root) first"
		trap - EXIT
		exit 1
	}
done
for ns in "$NS_A" "$NS_B"; do
	if [[ -e /var/run/netns/$ns ]]; then
		echo "   ✗ network namespace $ns exists: another demo is running, or one was killed."
		echo "     Stop it, or remove the namespace: ip netns del $ns"
		trap - EXIT
		exit 1
	fi
done

# ---- 1. build -------------------------------------------------------------------------------

step 1 "Build"
if [[ ! -x $SEG || ! -x $TESTNET ]]; then
	echo "   building seg and seg-testnet in ${BUILD#"$ROOT"/}/ ..."
	cmake -S "$ROOT" -B "$BUILD" >/dev/null
	cmake --build "$BUILD" -j "$(nproc)" --target seg seg-testnet >/dev/null
fi
ok "seg and seg-testnet in ${BUILD#"$ROOT"/}/"
WORK=$(mktemp -d /tmp/segdemo.XXXXXX)
mkdir -p "$WORK/a" "$WORK/b" "$WORK/www"
ok "work directory $WORK"

# ---- 2. the SCION network --------------------------------------------------------------------

step 2 "SCION network (seg-testnet)"
"$TESTNET" run "$TOPO" --dir "$WORK/net" --net auto >"$WORK/testnet.log" 2>&1 &
TESTNET_PID=$!
PIDS+=("$TESTNET_PID")
testnet_ready() { alive "$TESTNET_PID" && [[ $(cat "$WORK/net/testnet.pid" 2>/dev/null) == "$TESTNET_PID" ]]; }
wait_for 10 testnet_ready || fail "seg-testnet did not start within 10 s"
JSON=$WORK/net/testnet.json
IFS='|' read -r N N_ASES <<<"$(util testnet-net "$JSON")"
IP_A=$(util testnet "$JSON" "$IA_A" host_ip)
IP_B=$(util testnet "$JSON" "$IA_B" host_ip)
DAEMON_A=$(util testnet "$JSON" "$IA_A" daemon)
DAEMON_B=$(util testnet "$JSON" "$IA_B" daemon)
ok "$N_ASES ASes on 127.$N.0.0/16: site A = $IA_A, site B = $IA_B, rendezvous R = $IA_R"
if ! "$SEG" ping "$IA_B,$IP_B" --sciond "$DAEMON_A" -c 3 -i 100ms >"$WORK/scion-ping.log" 2>&1; then
	cat "$WORK/scion-ping.log"
	fail "seg ping $IA_B,$IP_B over SCION got no reply"
fi
ok "seg ping A → B over SCION: $(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2\/\1 replies/p' \
	"$WORK/scion-ping.log"), avg $(sed -n 's/^rtt [^=]*= [^/]*\/\([^/]*\)\/.*/\1 ms/p' "$WORK/scion-ping.log")"

# ---- 3. the sites -------------------------------------------------------------------------

step 3 "Sites: two network namespaces"
for ns in "$NS_A" "$NS_B"; do
	ip netns add "$ns"
	NETNS_MADE+=("$ns")
	ip -n "$ns" link set lo up
done
ip -n "$NS_A" -6 addr add "$IP6_A/128" dev lo
ip -n "$NS_B" -6 addr add "$IP6_B/128" dev lo
ok "$NS_A (site A, $NET_A, $NET6_A) and $NS_B (site B, $NET_B, $NET6_B)"

# ---- 4. the gateways -----------------------------------------------------------------------

step 4 "Gateways (seg run, one per site)"
# conf.yaml and adapter.yaml of one site, from the templates in scripts/demo/.
render() {
	local site=$1 tmpl=$2
	sed -e "s|@SITE@|$site|g" -e "s|@WORK@|$WORK|g" -e "s|@PORT@|$PORT|g" \
		-e "s|@RENDEZVOUS_IA@|$IA_R|g" "${@:3}" "$ROOT/scripts/demo/$tmpl.in" \
		>"$WORK/$site/$tmpl"
}
render a conf.yaml -e "s|@LOCAL_IA@|$IA_A|" -e "s|@LOCAL_IP@|$IP_A|" -e "s|@DAEMON@|$DAEMON_A|" \
	-e "s|@REMOTE_IA@|$IA_B|" -e "s|@REMOTE_IP@|$IP_B|" -e "s|@REMOTE_SITE@|B|" \
	-e "s|@REMOTE_SUBNET@|$NET_B|" -e "s|@REMOTE_SUBNET6@|$NET6_B|"
render b conf.yaml -e "s|@LOCAL_IA@|$IA_B|" -e "s|@LOCAL_IP@|$IP_B|" -e "s|@DAEMON@|$DAEMON_B|" \
	-e "s|@REMOTE_IA@|$IA_A|" -e "s|@REMOTE_IP@|$IP_A|" -e "s|@REMOTE_SITE@|A|" \
	-e "s|@REMOTE_SUBNET@|$NET_A|" -e "s|@REMOTE_SUBNET6@|$NET6_A|"
render a adapter.yaml -e "s|@TUN_ADDR@|$TUN_IP_A|" -e "s|@SUBNET@|$NET_A|" -e "s|@TUN@|seg-a|" \
	-e "s|@SUBNET6@|$NET6_A|" -e "s|@NETNS@|$NS_A|"
render b adapter.yaml -e "s|@TUN_ADDR@|$TUN_IP_B|" -e "s|@SUBNET@|$NET_B|" -e "s|@TUN@|seg-b|" \
	-e "s|@SUBNET6@|$NET6_B|" -e "s|@NETNS@|$NS_B|"
for site in a b; do
	"$SEG" run -conf "$WORK/$site/conf.yaml" -log.console info >"$WORK/$site/seg.log" 2>&1 &
	PIDS+=("$!")
	eval "GW_PID_${site^^}=$!"
done
CTL_A=$WORK/a/seg.sock
CTL_B=$WORK/b/seg.sock
ok "gateway A $IA_A,$IP_A:$PORT   gateway B $IA_B,$IP_B:$PORT"
util wait "$SEG" "$CTL_A" active 10 && util wait "$SEG" "$CTL_B" active 10 ||
	fail "no session between the gateways within 10 s"
HS_US=$(util handshake "$WORK/a/seg.log" "$WORK/b/seg.log") || fail "no handshake in the logs"
ok "handshake: session up in $(awk -v u="$HS_US" 'BEGIN { printf "%.1f ms", u / 1000 }')" \
	"(DRKey-authenticated X25519, AES-256-GCM)"
util wait "$SEG" "$CTL_A" paths-alive 2 5 || fail "fewer than two live paths after 5 s"
active_path "$CTL_B"
ok "path in use B → A: $ROUTE ($HOPS links, RTT $RTT ms)"
active_path "$CTL_A"
ok "path in use A → B: $ROUTE ($HOPS links, RTT $RTT ms); $(util summary "$SEG" "$CTL_A")"

# ---- 5. traffic between the sites -------------------------------------------------------

step 5 "Traffic from site A to site B"
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }
route_to() { # namespace prefix
	local family=-4
	[[ $2 == *:* ]] && family=-6
	[[ -n $(ip -n "$1" "$family" route show "$2" 2>/dev/null) ]]
}
for route in "$NS_A $NET_B" "$NS_B $NET_A" "$NS_A $NET6_B" "$NS_B $NET6_A"; do
	# shellcheck disable=SC2086 # two words: namespace and prefix
	wait_for 10 route_to $route ||
		fail "the IP adapters did not install the route ${route#* } in ${route%% *} within 10 s"
done
ok "TUNs seg-a ($TUN_IP_A in $NS_A) and seg-b ($TUN_IP_B in $NS_B), subnets announced"
for dst in "$TUN_IP_B" "$IP6_B"; do
	in_a ping -n -c 3 -i 0.2 -W 2 "$dst" >"$WORK/ping.log" 2>&1 || {
		sed 's/^/   | /' "$WORK/ping.log"
		fail "ping $dst from site A failed"
	}
	ok "ping $dst from site A:" \
		"$(sed -n 's/^rtt [^=]*= [^/]*\/\([^/]*\)\/.*/avg \1 ms/p' "$WORK/ping.log")," \
		"$(sed -n 's/.* \([0-9.]*%\) packet loss.*/\1 loss/p' "$WORK/ping.log")"
done
echo "Hello from site B ($TUN_IP_B), served over SCION by seg" >"$WORK/www/index.html"
head -c 1048576 /dev/urandom >"$WORK/www/blob"
# Started without a shell function in between, so that $! is the server itself.
# Bound to :: inside site B's namespace: Python serves IPv4 and IPv6 on it.
ip netns exec "$NS_B" "$PY" -m http.server "$HTTP_PORT" --bind :: \
	--directory "$WORK/www" >"$WORK/http.log" 2>&1 &
PIDS+=("$!")
wait_for 10 in_b "$PY" -c "import socket; socket.create_connection(('$TUN_IP_B', $HTTP_PORT), 1)" ||
	fail "the HTTP server in site B did not start"
URL=http://$TUN_IP_B:$HTTP_PORT
PAGE=$(in_a curl -sS --max-time 10 "$URL/") || fail "curl $URL/ from site A failed"
ok "HTTP GET $URL/ from site A: \"$PAGE\""
URL6="http://[$IP6_B]:$HTTP_PORT"
in_a curl -sS -g --max-time 20 -o "$WORK/blob.fetched" -w '%{speed_download}\n' \
	"$URL6/blob" >"$WORK/curl.log" || fail "curl $URL6/blob from site A failed"
[[ $(sha256sum <"$WORK/www/blob") == "$(sha256sum <"$WORK/blob.fetched")" ]] ||
	fail "the 1 MiB file arrived corrupted"
ok "HTTP GET $URL6/blob (1 MiB): SHA-256 matches," \
	"$(awk '{printf "%.1f MB/s", $1 / 1e6}' "$WORK/curl.log")"

# Runs ping from site A for the phase around a link change; sets PING_PID.
PING_COUNT=$(awk -v l="$LEAD" -v t="$TAIL" -v i="$PING_INTERVAL" 'BEGIN { print int((l + t) / i) }')
ping_start() {
	PING_LOG=$WORK/$1.ping
	ip netns exec "$NS_A" ping -n -D -O -i "$PING_INTERVAL" -c "$PING_COUNT" \
		-w $((${LEAD%.*} + ${TAIL%.*} + 3)) -W 1 "$TUN_IP_B" >"$PING_LOG" 2>&1 &
	PING_PID=$!
	PIDS+=("$PING_PID")
	sleep "$LEAD"
}
# Waits for that ping and prints the outage it saw around the link change.
ping_report() {
	local sent recv lost gap
	wait "$PING_PID" || true
	IFS='|' read -r sent recv lost gap < <(util outage "$PING_LOG" "$PING_INTERVAL" \
		"$T_BEFORE" "$T_AFTER") ||
		fail "the ping from site A got no replies (see $PING_LOG)"
	ok "ping every $PING_MS ms from site A: $recv/$sent replies, $lost lost," \
		"outage $gap ms"
}

# Time from a link change (between T_BEFORE and T_AFTER) to gateway A's next path switch:
# MS, WHY.
switch_time() {
	local line
	line=$(util failover "$WORK/a/seg.log" "$T_BEFORE" "$T_AFTER") ||
		fail "no path switch in gateway A's log"
	IFS='|' read -r MS WHY <<<"$line"
}

# ---- 6. failover ----------------------------------------------------------------------------

step 6 "Failover: the active link goes down"
DOWN=$FIRST
ping_start failover
T_BEFORE=$(date +%s.%N)
"$TESTNET" link down "$DOWN" --dir "$WORK/net" >/dev/null || fail "seg-testnet link down $DOWN"
T_AFTER=$(date +%s.%N)
ok "link $DOWN down (the first link of A's active path)"
util wait "$SEG" "$CTL_A" active-avoids "$DOWN" 5 || fail "no failover within 5 s"
switch_time
active_path "$CTL_A"
ok "gateway A switched to $ROUTE after $MS ms ($WHY)"
ping_report

# ---- 7. hidden path ------------------------------------------------------------------------

step 7 "Hidden path: every public link of site A goes down"
util wait "$SEG" "$CTL_A" hidden-known 5 ||
	fail "gateway A learnt no hidden path through $IA_R within 5 s"
read -r -a PUBLIC < <(util links "$JSON" "$IA_A" public)
ping_start hidden
T_BEFORE=$(date +%s.%N)
for end in "${PUBLIC[@]}"; do
	"$TESTNET" link down "$end" --dir "$WORK/net" >/dev/null ||
		fail "seg-testnet link down $end"
done
T_AFTER=$(date +%s.%N)
DOWN=${PUBLIC[*]}
ok "links ${PUBLIC[*]} down: no public path from A to B is left"
util wait "$SEG" "$CTL_A" active-hidden 5 || fail "the hidden path did not take over in 5 s"
switch_time
active_path "$CTL_A"
ok "gateway A switched to the hidden path $ROUTE after $MS ms ($WHY)"
ping_report

# ---- 8. final state ------------------------------------------------------------------------

step 8 "Paths, RTTs and counters (from seg status --json)"
util table "$SEG" "$CTL_A" "site A" || fail "seg status of gateway A"
util table "$SEG" "$CTL_B" "site B" || fail "seg status of gateway B"
for site in A B; do
	pid_var=GW_PID_$site
	alive "${!pid_var}" || fail "gateway $site exited during the demo"
done
printf '\n\342\234\223 demo complete\n'

if [[ $HOLD == 1 ]]; then
	cat <<EOF

Still running; Ctrl-C cleans up. Try:
  ip netns exec $NS_A ping $TUN_IP_B
  ip netns exec $NS_A curl http://$TUN_IP_B:$HTTP_PORT/
  $SEG status --ctl $CTL_A
EOF
	for end in $DOWN; do
		echo "  $TESTNET link up $end --dir $WORK/net"
	done
	while alive "$TESTNET_PID"; do sleep 1; done
fi
