# shellcheck shell=bash
# shellcheck disable=SC2034 # BENCH_* globals are read by the files that source this one
# Variants `seg-1as` (both gateways in one AS: empty SCION path) and `seg-testnet` (gateways
# in the two leaf ASes of topologies/multipath.topo: border routers in the path).
#
# Layout. seg's underlay is SCION, and seg-testnet runs its routers and daemons on loopback
# (127.N.0.0/16, docs/testnet.md). So, unlike the other variants, the seg processes run in
# the root namespace and send only to loopback; each gateway's IP adapter moves its TUN into
# the bench's namespace (adapter.yaml `netns:`), where the harness measures:
#
#   ns A: TUN sbseg 10.202.3.1 ◄─ gw A (root ns, 127.N.k.x) ══ SCION ══ gw B ─► ns B: TUN sbseg 10.202.3.2
#
#   1as      topologies/single.topo: one AS; gw A on its host IP 127.N.1.1, gw B on 127.N.1.2
#            (another loopback address of the same AS); the daemon returns the empty path.
#   testnet  topologies/multipath.topo: gw A in 1-ff00:0:111, gw B in 1-ff00:0:131, each on
#            its AS's host IP; every path crosses 3..5 border routers.
#
# Each gateway announces only its TUN address (/32), so the route to the other side's inner
# address is the one the adapter installs from the peer's announcement. The TUN keeps the
# adapter's default MTU (1200, docs/configuration.md), as a user would run it; it fits every
# multipath path without gateway fragmentation. The namespaces' veth underlay is unused.
#
# The contract, shared by every variant (see veth.sh, wireguard.sh, openvpn.sh):
#   seg_variant_check MODE             MODE is 1as or testnet; prints what is missing
#   seg_variant_up NS_A NS_B MODE      processes only through bench_spawn (PIDs in SEG_PIDS);
#                                      waits until the routes exist or fails with bench_fail;
#                                      sets BENCH_SOURCE, BENCH_TARGET, BENCH_MTU
#   seg_variant_down                   stops SEG_PIDS with bench_stop; removes its files

SEG_PIDS=()
SEG_TUN=sbseg
SEG_PORT=31020
SEG_DIR=""

# seg_find_bin NAME: prints the path of a built seg executable, or nothing. $SEG_BIN_DIR
# (if set) wins over the CMake build trees of this checkout.
seg_find_bin() {
	local name=$1 dir
	for dir in ${SEG_BIN_DIR:+"$SEG_BIN_DIR"} "$BENCH_REPO/build/cmd/seg" "$BENCH_REPO/build/cmd" \
		"$BENCH_REPO/build"; do
		if [[ -f "$dir/$name" && -x "$dir/$name" ]]; then
			printf '%s\n' "$dir/$name"
			return 0
		fi
	done
	return 1
}

# seg_variant_check MODE: true when the variant can run; otherwise prints what is missing.
seg_variant_check() {
	local mode=$1 missing=() topo
	seg_find_bin seg >/dev/null || missing+=("seg binary")
	seg_find_bin seg-testnet >/dev/null || missing+=("seg-testnet binary")
	[[ -c /dev/net/tun ]] || missing+=("/dev/net/tun")
	topo=$(seg_topology "$mode")
	[[ -f $topo ]] || missing+=("$topo")
	if [[ ${#missing[@]} -gt 0 ]]; then
		local text=${missing[0]} m
		for m in "${missing[@]:1}"; do text+=", $m"; done
		echo "$text missing (looked in ${SEG_BIN_DIR:+$SEG_BIN_DIR, }build/cmd/seg, build/cmd, build)"
		return 1
	fi
}

seg_topology() {
	case $1 in
	1as) echo "$BENCH_REPO/topologies/single.topo" ;;
	*) echo "$BENCH_REPO/topologies/multipath.topo" ;;
	esac
}

# seg_write_side FILE ADAPTERFILE ME PEER DAEMON SOCK NS INNER: a gateway's two files.
seg_write_side() {
	local conf=$1 adapter=$2 me=$3 peer=$4 daemon=$5 sock=$6 ns=$7 inner=$8
	cat >"$conf" <<EOF
address: $me:$SEG_PORT
daemonAddr: $daemon
controlSocket: $sock
adapterConfPath: $adapter
remotes:
  - address: $peer:$SEG_PORT
EOF
	cat >"$adapter" <<EOF
addr: $inner
subnet: $inner/32
tunName: $SEG_TUN
netns: $ns
EOF
}

# seg_variant_up NS_A NS_B MODE
seg_variant_up() {
	local a=$1 b=$2 mode=$3 seg testnet topo pid i net
	local inner_a inner_b ia_a ia_b host_a host_b daemon_a daemon_b
	if ! seg=$(seg_find_bin seg) || ! testnet=$(seg_find_bin seg-testnet); then
		bench_fail "seg binaries missing"
		return 1
	fi
	topo=$(seg_topology "$mode")
	SEG_DIR="$BENCH_TMP/seg-$mode"
	rm -rf "$SEG_DIR"
	mkdir -p "$SEG_DIR" || { bench_fail "mkdir $SEG_DIR"; return 1; }
	net="$SEG_DIR/net"

	bench_spawn pid "$BENCH_RAW/seg-$mode.testnet.log" "$testnet" run "$topo" --dir "$net" \
		--net auto
	SEG_PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do
		[[ -f "$net/testnet.pid" && -f "$net/testnet.json" ]] && break
		bench_pid_alive "$pid" || break
		sleep 0.1
	done
	[[ -f "$net/testnet.json" ]] || { bench_fail "seg-testnet did not start"; return 1; }

	if [[ $mode == 1as ]]; then
		ia_a=1-ff00:0:110 ia_b=1-ff00:0:110 inner_a=10.202.3.1 inner_b=10.202.3.2
	else
		ia_a=1-ff00:0:111 ia_b=1-ff00:0:131 inner_a=10.202.4.1 inner_b=10.202.4.2
	fi
	read -r host_a daemon_a host_b daemon_b < <(python3 - "$net/testnet.json" "$ia_a" "$ia_b" <<'EOF'
import json, sys
by = {a["ia"]: a for a in json.load(open(sys.argv[1]))["ases"]}
a, b = by[sys.argv[2]], by[sys.argv[3]]
host_b = b["host_ip"]
if a is b:
    # Same AS: B takes the next address of the AS's loopback /24 (127.N.k.2).
    host_b = host_b.rsplit(".", 1)[0] + ".2"
print(a["host_ip"], a["daemon"], host_b, b["daemon"])
EOF
	)
	[[ -n $daemon_b ]] || { bench_fail "cannot read $net/testnet.json"; return 1; }

	seg_write_side "$SEG_DIR/a.yaml" "$SEG_DIR/a-adapter.yaml" "$ia_a,$host_a" "$ia_b,$host_b" \
		"$daemon_a" "$SEG_DIR/a.sock" "$a" "$inner_a"
	seg_write_side "$SEG_DIR/b.yaml" "$SEG_DIR/b-adapter.yaml" "$ia_b,$host_b" "$ia_a,$host_a" \
		"$daemon_b" "$SEG_DIR/b.sock" "$b" "$inner_b"
	bench_spawn pid "$BENCH_RAW/seg-$mode.gw-b.log" "$seg" run -conf "$SEG_DIR/b.yaml"
	SEG_PIDS+=("$pid")
	SEG_PID_B=$pid
	bench_spawn pid "$BENCH_RAW/seg-$mode.gw-a.log" "$seg" run -conf "$SEG_DIR/a.yaml"
	SEG_PIDS+=("$pid")
	SEG_PID_A=$pid

	# Routes from the peers' announcements: handshake, paths and control channel are done.
	for ((i = 0; i < 150; i++)); do
		if ip -n "$a" -o route show "$inner_b/32" 2>/dev/null | grep -q "$SEG_TUN" &&
			ip -n "$b" -o route show "$inner_a/32" 2>/dev/null | grep -q "$SEG_TUN"; then
			break
		fi
		if ! bench_pid_alive "$SEG_PID_A" || ! bench_pid_alive "$SEG_PID_B"; then
			break
		fi
		sleep 0.2
	done
	if ! ip -n "$a" -o route show "$inner_b/32" 2>/dev/null | grep -q "$SEG_TUN"; then
		bench_fail "no route to $inner_b through $SEG_TUN within 30 s (see seg-$mode.gw-*.log)"
		return 1
	fi
	bench_is_tun "$a" "$SEG_TUN" || { bench_fail "$SEG_TUN in $a is not a TUN device"; return 1; }
	BENCH_SOURCE=$inner_a
	BENCH_TARGET=$inner_b
	BENCH_MTU=$(bench_if_mtu "$a" "$SEG_TUN")
	seg_log_paths "$mode"
}

# seg_log_paths MODE: the active path of A's peer (hops, MTU, interfaces), for the log and
# the raw directory.
seg_log_paths() {
	local seg status
	seg=$(seg_find_bin seg) || return 0
	status=$(timeout 6 "$seg" status --ctl "$SEG_DIR/a.sock" --json 2>/dev/null) || return 0
	printf '%s\n' "$status" >"$BENCH_RAW/seg-$1.status-a.json"
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
for p in d.get("peers", []):
    i = p.get("active_path")
    if i is None:
        print("seg-%s: no active path" % sys.argv[2]); continue
    q = p["paths"][i]
    print("seg-%s: %d paths, active: %d hops, MTU %d, [%s]" % (sys.argv[2], len(p["paths"]),
          q["hops"], q["mtu"], q["interfaces"]))
' "$status" "$1" >&2 2>/dev/null || true
}

seg_variant_down() {
	if [[ ${#SEG_PIDS[@]} -gt 0 ]]; then
		# Gateways first (they remove their TUNs and sockets on TERM), the testnet last.
		local i rev=()
		for ((i = ${#SEG_PIDS[@]} - 1; i >= 0; i--)); do rev+=("${SEG_PIDS[i]}"); done
		bench_stop "${rev[@]}"
	fi
	SEG_PIDS=()
	SEG_PID_A="" SEG_PID_B=""
	[[ -n $SEG_DIR ]] && rm -rf "$SEG_DIR"
	SEG_DIR=""
}
