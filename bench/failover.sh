#!/usr/bin/env bash
# Failover benchmark: how long a steady packet stream through two seg gateways stops, and how
# many packets it loses, when the active path breaks. One command, no root: the gateways use
# the UDP service adapter (docs/udp-adapter.md) over seg-testnet's multipath.topo, all on
# loopback. See bench/README.md ("Failover").
#
#   sender ─UDP 1 pkt/ms─► gw A (1-ff00:0:111) ══ SCION, multipath.topo ══ gw B (1-ff00:0:131) ─► sink
#
# Cases (each with fresh gateways; the link is restored afterwards):
#   scmp       the middle link of A's active path goes down (`seg-testnet link down`): the
#              router before it answers SCMP external-interface-down;
#   blackhole  the same link silently drops everything (`link set --loss 100`): only the
#              probe timeout can notice (adaptive by default, keepAliveTimeout if set);
#   redundant  conf.yaml `redundant: true`, then the link goes down as in scmp.
# Pathing profiles: `default` (no `pathing:` key: seg's defaults, 20ms / auto / 30ms / 500ms),
# `seed` (the original's four values written out: 50ms / 300ms / 30ms / 500ms), `fast`
# (shorter fixed probe timers, to show what the knobs buy; not a default).
#
# Only loopback is used; every process is bounded by `timeout` and only our PIDs are stopped.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
PY=python3
PORT=31030
BEFORE_MS=1500
AFTER_MS=2500
PROFILES=(default seed fast)
CASES=(scmp blackhole redundant)
RAW_KEEP=""
JSON_OUT=""
PIDS=()

usage() {
	cat <<EOF
usage: bench/failover.sh [options]
  --profiles LIST   comma-separated subset of: default seed fast (default: all)
  --cases LIST      comma-separated subset of: scmp blackhole redundant (default: all)
  --before MS       stream time before the failure (default $BEFORE_MS)
  --after MS        stream time after the failure (default $AFTER_MS)
  --raw-dir DIR     keep configurations, logs and per-packet records in DIR
  --json FILE       also write the results as JSON
EOF
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--profiles) IFS=',' read -r -a PROFILES <<<"${2:-}"; shift 2 ;;
	--cases) IFS=',' read -r -a CASES <<<"${2:-}"; shift 2 ;;
	--before) BEFORE_MS=${2:-}; shift 2 ;;
	--after) AFTER_MS=${2:-}; shift 2 ;;
	--raw-dir) RAW_KEEP=${2:-}; shift 2 ;;
	--json) JSON_OUT=${2:-}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "failover: unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
done
[[ $BEFORE_MS =~ ^[1-9][0-9]{2,4}$ && $AFTER_MS =~ ^[1-9][0-9]{2,4}$ ]] ||
	{ echo "failover: --before/--after: 100..99999 ms" >&2; exit 2; }
for p in "${PROFILES[@]}"; do
	[[ $p =~ ^(default|seed|fast)$ ]] || { echo "failover: unknown profile: $p" >&2; exit 2; }
done
for c in "${CASES[@]}"; do
	[[ $c =~ ^(scmp|blackhole|redundant)$ ]] || { echo "failover: unknown case: $c" >&2; exit 2; }
done

find_bin() {
	local d
	for d in ${SEG_BIN_DIR:+"$SEG_BIN_DIR"} "$REPO/build/cmd/seg" "$REPO/build/cmd" "$REPO/build"; do
		[[ -f "$d/$1" && -x "$d/$1" ]] && { echo "$d/$1"; return 0; }
	done
	return 1
}
SEG=$(find_bin seg) || { echo "failover: seg binary not built (make build)" >&2; exit 1; }
TESTNET=$(find_bin seg-testnet) || { echo "failover: seg-testnet not built" >&2; exit 1; }

TMP=$(mktemp -d /tmp/seg-failover.XXXXXX)
if [[ -n $RAW_KEEP ]]; then
	mkdir -p "$RAW_KEEP" && RAW=$(cd "$RAW_KEEP" && pwd) || exit 1
else
	RAW=$TMP/raw
	mkdir -p "$RAW"
fi
: >"$RAW/results.tsv"

log() { printf 'failover: %s\n' "$*" >&2; }

# spawn VAR LOG LIMIT CMD...: background, bounded, PID recorded.
spawn() {
	local __var=$1 __log=$2 __limit=$3
	shift 3
	timeout --kill-after=3 "$__limit" "$@" >"$__log" 2>&1 </dev/null &
	PIDS+=("$!")
	printf -v "$__var" '%s' "$!"
}

# stop PID...: TERM, up to 5 s, then KILL; only PIDs we started.
stop() {
	local pid i kept=() q
	for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "$@"; do
		for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for q in "${PIDS[@]}"; do
		for pid in "$@"; do [[ $q == "$pid" ]] && continue 2; done
		kept+=("$q")
	done
	PIDS=("${kept[@]}")
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Gateways and helpers first (newest first), the testnet (oldest) last.
	local i rev=()
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do rev+=("${PIDS[i]}"); done
	[[ ${#rev[@]} -gt 0 ]] && stop "${rev[@]}"
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	$PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- the network ----
NET=$TMP/net
spawn TESTNET_PID "$RAW/testnet.log" 900 "$TESTNET" run "$REPO/topologies/multipath.topo" \
	--dir "$NET" --net auto
for _ in $(seq 100); do [[ -f $NET/testnet.pid && -f $NET/testnet.json ]] && break; sleep 0.1; done
[[ -f $NET/testnet.json ]] || { log "seg-testnet did not start"; cat "$RAW/testnet.log" >&2; exit 1; }
read -r HOST_A DAEMON_A HOST_B DAEMON_B < <($PY - "$NET/testnet.json" <<'EOF'
import json, sys
by = {a["ia"]: a for a in json.load(open(sys.argv[1]))["ases"]}
a, b = by["1-ff00:0:111"], by["1-ff00:0:131"]
print(a["host_ip"], a["daemon"], b["host_ip"], b["daemon"])
EOF
)
IA_A=1-ff00:0:111
IA_B=1-ff00:0:131

pathing_block() {
	case $1 in
	default) ;;
	seed) printf 'pathing:\n  keepAliveInterval: 50ms\n  keepAliveTimeout: 300ms\n  keepAliveTimeoutInterval: 30ms\n  migrateGraceTimeout: 500ms\n' ;;
	fast) printf 'pathing:\n  keepAliveInterval: 10ms\n  keepAliveTimeout: 50ms\n  keepAliveTimeoutInterval: 5ms\n  migrateGraceTimeout: 500ms\n' ;;
	esac
}

# write_confs DIR PROFILE REDUNDANT SINK_PORT FWD_PORT
write_confs() {
	local d=$1 profile=$2 red=$3 sink=$4 fwd=$5
	{
		printf 'address: %s,%s:%s\ndaemonAddr: %s\ncontrolSocket: %s\nadapterConfPath: %s\n' \
			"$IA_A" "$HOST_A" "$PORT" "$DAEMON_A" "$d/a.sock" "$d/a-udp.yaml"
		printf 'redundant: %s\n' "$red"
		pathing_block "$profile"
		printf 'remotes:\n  - address: %s,%s:%s\n    description: B\n' "$IA_B" "$HOST_B" "$PORT"
	} >"$d/a.yaml"
	{
		printf 'address: %s,%s:%s\ndaemonAddr: %s\ncontrolSocket: %s\nadapterConfPath: %s\n' \
			"$IA_B" "$HOST_B" "$PORT" "$DAEMON_B" "$d/b.sock" "$d/b-udp.yaml"
		printf 'redundant: %s\n' "$red"
		pathing_block "$profile"
		printf 'remotes:\n  - address: %s,%s:%s\n    description: A\n' "$IA_A" "$HOST_A" "$PORT"
	} >"$d/b.yaml"
	printf 'type: udp\nforwards:\n  - listen: 127.0.0.1:%s\n    peer: %s,%s\n    service: sink\n' \
		"$fwd" "$IA_B" "$HOST_B" >"$d/a-udp.yaml"
	printf 'type: udp\nservices:\n  - name: sink\n    address: 127.0.0.1:%s\n' "$sink" >"$d/b-udp.yaml"
}

# ready DIR REDUNDANT: A knows B's service, its active path is alive, and (redundant) a second
# alive path exists; bounded to 30 s. Then 1 s more so that every path has been probed.
ready() {
	local d=$1 red=$2 i
	for ((i = 0; i < 150; i++)); do
		if grep -q "offers 1 services" "$d/gw-a.log" 2>/dev/null &&
			timeout 6 "$SEG" status --ctl "$d/a.sock" --json 2>/dev/null | $PY -c '
import json, sys
p = json.load(sys.stdin)["peers"][0]
alive = [q for q in p["paths"] if q["alive"]]
i = p["active_path"]
ok = p["state"] == "up" and i is not None and p["paths"][i]["alive"]
sys.exit(0 if ok and (sys.argv[1] != "true" or len(alive) >= 2) else 1)' "$red"; then
			sleep 1
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# active_link DIR: prints "IA#IFID hops interfaces" of the middle link of A's active path.
active_link() {
	timeout 6 "$SEG" status --ctl "$1/a.sock" --json | tee "$1/status-before.json" | $PY -c '
import json, sys
p = json.load(sys.stdin)["peers"][0]
q = p["paths"][p["active_path"]]
ifs = q["interfaces"].split()
links = [ifs[i:i + 2] for i in range(0, len(ifs), 2)]
print(links[len(links) // 2][0], q["hops"], "|".join(ifs))'
}

# The sink: records (seq, arrival monotonic ns) for every datagram; stops 1.5 s after the last
# one (or at its time bound).
SINK_PY='
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.2)
out = open(sys.argv[2], "w")
end = time.monotonic() + float(sys.argv[3])
last = None
while time.monotonic() < end:
    try:
        data = s.recv(2048)
    except socket.timeout:
        if last is not None and time.monotonic() - last > 1.5:
            break
        continue
    now = time.monotonic_ns()
    last = now / 1e9
    if len(data) >= 8:
        out.write("%d %d\n" % (struct.unpack("!Q", data[:8])[0], now))
out.close()
'
# The sender: COUNT datagrams of 64 bytes, one per ms on an absolute schedule, seq first.
SEND_PY='
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ("127.0.0.1", int(sys.argv[1]))
n = int(sys.argv[2])
pad = bytes(56)
t0 = time.monotonic()
open(sys.argv[3], "w").write("%d\n" % int(t0 * 1e9))
for i in range(n):
    t = t0 + i / 1000.0
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
    s.sendto(struct.pack("!Q", i) + pad, dst)
print("sent", n, "in %.3f s" % (time.monotonic() - t0))
'

# analyse DIR COUNT: "lost lost_before gap_ms jitter_ms dups" of one run. The outage is the
# longest gap between consecutive arrivals whose later packet came after the failure; the
# jitter is the longest such gap before it (the noise floor of this machine).
analyse() {
	$PY - "$1" "$2" <<'EOF'
import sys
d, n = sys.argv[1], int(sys.argv[2])
recs = [tuple(map(int, l.split())) for l in open(d + "/records.txt") if l.strip()]
t_fail = int(open(d + "/fail.txt").read().split()[0])
t0 = int(open(d + "/start.txt").read().split()[0])
seqs = set(s for s, _ in recs)
lost = n - len(seqs)
# Lost before the failure: scheduled to leave more than 5 ms before it.
lost_before = sum(1 for i in range(n) if i not in seqs and t0 + i * 1000000 < t_fail - 5000000)
dups = len(recs) - len(seqs)
recs.sort(key=lambda r: r[1])
gap = jitter = 0
for (_, a), (_, b) in zip(recs, recs[1:]):
    if b > t_fail:
        gap = max(gap, b - a)
    else:
        jitter = max(jitter, b - a)
print(lost, lost_before, "%.1f" % (gap / 1e6), "%.1f" % (jitter / 1e6), dups)
EOF
}

# run_case PROFILE CASE
run_case() {
	local profile=$1 case=$2 red=false d sink fwd pid_a pid_b pid_sink pid_send link hops ifs
	local count=$((BEFORE_MS + AFTER_MS))
	[[ $case == redundant ]] && red=true
	d="$RAW/$profile-$case"
	rm -rf "$d"
	mkdir -p "$d"
	sink=$(free_port)
	fwd=$(free_port)
	write_confs "$d" "$profile" "$red" "$sink" "$fwd"
	spawn pid_b "$d/gw-b.log" 120 "$SEG" run -conf "$d/b.yaml" -log.console debug
	spawn pid_a "$d/gw-a.log" 120 "$SEG" run -conf "$d/a.yaml" -log.console debug
	if ! ready "$d" "$red"; then
		log "$profile/$case: gateways not ready within 30 s (see $d/gw-*.log)"
		printf '%s\t%s\tfailed\t-\t-\t-\t-\n' "$profile" "$case" >>"$RAW/results.tsv"
		stop "$pid_a" "$pid_b"
		return 1
	fi
	read -r link hops ifs < <(active_link "$d")
	spawn pid_sink "$d/sink.log" $(((count + 20000) / 1000)) $PY -c "$SINK_PY" "$sink" \
		"$d/records.txt" $(((count + 15000) / 1000))
	sleep 0.2
	spawn pid_send "$d/sender.log" $(((count + 10000) / 1000)) $PY -c "$SEND_PY" "$fwd" "$count" \
		"$d/start.txt"
	sleep "$($PY -c "print($BEFORE_MS / 1000)")"
	# The failure; its time (CLOCK_MONOTONIC, as the sender and sink use) is taken just
	# before the control command runs.
	local change=(link down "$link" --dir "$NET")
	[[ $case == blackhole ]] && change=(link set "$link" --dir "$NET" --loss 100)
	timeout 5 $PY -c 'import os, sys, time
print(time.monotonic_ns(), flush=True)
os.execv(sys.argv[1], sys.argv[1:])' "$TESTNET" "${change[@]}" >"$d/fail.txt" ||
		log "$profile/$case: link change on $link failed"
	wait "$pid_send" 2>/dev/null
	wait "$pid_sink" 2>/dev/null
	stop "$pid_send" "$pid_sink"
	timeout 6 "$SEG" status --ctl "$d/a.sock" --json >"$d/status-after.json" 2>/dev/null
	timeout 5 "$TESTNET" link up "$link" --dir "$NET" >/dev/null
	timeout 5 "$TESTNET" link set "$link" --dir "$NET" --loss 0 >/dev/null
	stop "$pid_a" "$pid_b"
	local lost before gap jitter dups
	read -r lost before gap jitter dups < <(analyse "$d" "$count")
	printf '%s\t%s\tmeasured\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$profile" "$case" "$gap" \
		"$lost" "$count" "$link" "$hops" "$dups" "$jitter" "$before" >>"$RAW/results.tsv"
	log "$profile/$case: link $link ($hops-hop active path $ifs): outage $gap ms," \
		"lost $lost of $count ($before before the failure), duplicates $dups," \
		"longest gap before the failure $jitter ms"
}

log "seg-testnet multipath.topo up ($(sed -n 's/.*"net": \([0-9]*\).*/127.\1.0.0\/16/p' "$NET/testnet.json"))"
for profile in "${PROFILES[@]}"; do
	for case in "${CASES[@]}"; do
		run_case "$profile" "$case"
	done
done

$PY - "$RAW/results.tsv" "$JSON_OUT" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
target = {"scmp": ("outage", 50.0), "blackhole": ("outage", 150.0), "redundant": ("lost", 0)}
desc = {"scmp": "link down (SCMP)", "blackhole": "silent blackhole", "redundant": "redundant, link down"}
print()
print("%-8s %-21s %10s %6s %8s %10s  %-16s %s" % ("pathing", "case", "outage ms", "lost",
      "sent", "jitter ms", "target", "result"))
out = []
for r in rows:
    prof, case, status = r[:3]
    if status != "measured":
        print("%-8s %-21s %s" % (prof, desc[case], "failed (see logs)"))
        out.append({"pathing": prof, "case": case, "status": status})
        continue
    gap, lost, sent, link, hops, dups = float(r[3]), int(r[4]), int(r[5]), r[6], r[7], int(r[8])
    jitter, before = float(r[9]), int(r[10])
    kind, goal = target[case]
    if kind == "outage":
        tgt = "<= %d ms" % goal
        res = "met" if gap <= goal else "missed by %.0f ms" % (gap - goal)
    else:
        tgt = "0 lost"
        res = "met" if lost == 0 else "missed: %d lost" % lost
    if prof == "fast" and case != "redundant":
        res += " (not default)"
    if before:
        res += " (%d lost before the failure)" % before
    print("%-8s %-21s %10.1f %6d %8d %10.1f  %-16s %s" % (prof, desc[case], gap, lost, sent,
          jitter, tgt, res))
    out.append({"pathing": prof, "case": case, "status": status, "outage_ms": gap,
                "lost": lost, "sent": sent, "link": link, "active_hops": int(hops),
                "duplicates": dups, "jitter_ms": jitter, "lost_before_failure": before})
print("\noutage: longest gap between two consecutive arrivals at the sink that ends after the")
print("failure (1 packet/ms sent); jitter: the longest gap before the failure (the noise floor)")
if sys.argv[2]:
    json.dump(out, open(sys.argv[2], "w"), indent=1)
EOF
