#!/usr/bin/env bash
# Side-by-side tunnel benchmark: TCP throughput (1 and 4 streams) and ping RTT between two
# network namespaces, through each tunnel variant in turn, all in one run. Rounds are
# interleaved (every variant once, then again) and the table shows the median of the rounds,
# so that a noisy 2-core machine treats every variant alike. See bench/README.md.
#
# Everything happens inside two namespaces this run creates (segb-a-PID, segb-b-PID); the root
# namespace's addresses and routes are never touched, and nothing is sent from it.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_REPO=$(cd "$BENCH_DIR/.." && pwd)
ALL_VARIANTS=(veth wireguard-go openvpn seg-1as seg-testnet)

usage() {
	cat <<EOF
usage: bench/tunnel.sh [options]
  --rounds N        interleaved rounds; the table shows the median (default 2)
  --seconds N       length of each iperf3 test (default 5; 1 s of slow start is
                    left out on top when N >= 3)
  --smoke           1 s per test, 1 round (a quick check that everything works)
  --variants LIST   comma-separated subset of: ${ALL_VARIANTS[*]}
                    (default: all; unavailable ones are reported, not measured)
  --json FILE       also write the results (medians, every round, ratios) as JSON
  --raw-dir DIR     keep raw iperf3/ping/daemon outputs in DIR (default: a temporary
                    directory, removed at exit)
  --ns-socket-buffers BYTES
                    raise net.core.{r,w}mem_{default,max} inside the two namespaces
                    (never the root namespace's; only where the kernel keeps them per
                    namespace). Off by default: the table should show stock settings.
  --no-install      do not run scripts/bootstrap.sh bench (missing tools are reported)
Must run as root (it creates network namespaces).
EOF
}

BENCH_ROUNDS=2
BENCH_SECONDS=5
JSON_OUT=""
RAW_KEEP=""
INSTALL=1
NS_SOCKBUF=""
VARIANTS=("${ALL_VARIANTS[@]}")

parse_args() {
	local list
	while [[ $# -gt 0 ]]; do
		case $1 in
		--rounds) BENCH_ROUNDS=${2:-}; shift 2 || return 1 ;;
		--seconds) BENCH_SECONDS=${2:-}; shift 2 || return 1 ;;
		--smoke) BENCH_ROUNDS=1; BENCH_SECONDS=1; shift ;;
		--variants) list=${2:-}; shift 2 || return 1; IFS=',' read -r -a VARIANTS <<<"$list" ;;
		--json) JSON_OUT=${2:-}; shift 2 || return 1 ;;
		--raw-dir) RAW_KEEP=${2:-}; shift 2 || return 1 ;;
		--ns-socket-buffers) NS_SOCKBUF=${2:-}; shift 2 || return 1 ;;
		--no-install) INSTALL=0; shift ;;
		-h | --help) usage; exit 0 ;;
		*) echo "bench: unknown option: $1" >&2; return 1 ;;
		esac
	done
	[[ $BENCH_ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "bench: --rounds 1..99" >&2; return 1; }
	[[ $BENCH_SECONDS =~ ^[1-9][0-9]{0,2}$ ]] || { echo "bench: --seconds 1..999" >&2; return 1; }
	local v w
	for v in "${VARIANTS[@]}"; do
		for w in "${ALL_VARIANTS[@]}"; do [[ $v == "$w" ]] && continue 2; done
		echo "bench: unknown variant: $v (known: ${ALL_VARIANTS[*]})" >&2
		return 1
	done
	[[ ${#VARIANTS[@]} -gt 0 ]] || { echo "bench: no variants" >&2; return 1; }
	[[ -z $NS_SOCKBUF || $NS_SOCKBUF =~ ^[1-9][0-9]{3,9}$ ]] ||
		{ echo "bench: --ns-socket-buffers BYTES (1000..)" >&2; return 1; }
}

# variant_prefix NAME: the function prefix of a variant's lib file; variant_mode NAME: the
# MODE argument its functions get.
variant_prefix() {
	case $1 in
	veth) echo veth ;;
	wireguard-go) echo wg ;;
	openvpn) echo ovpn ;;
	seg-*) echo seg ;;
	esac
}

variant_mode() {
	case $1 in
	seg-1as) echo 1as ;;
	seg-testnet) echo testnet ;;
	*) echo - ;;
	esac
}

on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	bench_cleanup
	if [[ -n "${BENCH_TMP:-}" && -d "$BENCH_TMP" ]]; then
		rm -rf "$BENCH_TMP"
	fi
	exit "$rc"
}

# run_variant NAME ROUND: up, measure, down; every outcome goes to events.tsv.
run_variant() {
	local v=$1 round=$2 p mode
	p=$(variant_prefix "$v")
	mode=$(variant_mode "$v")
	# shellcheck disable=SC2034 # read by bench/lib/measure.sh
	BENCH_FAIL_REASON="" BENCH_SOURCE="" BENCH_TARGET="" BENCH_MTU=""
	if "${p}_variant_up" "$BENCH_NS_A" "$BENCH_NS_B" "$mode"; then
		bench_measure "$v" "$round"
	else
		bench_record "$v" "$round" failed "${BENCH_FAIL_REASON:-could not be set up}"
		bench_log "round $round $v: failed: ${BENCH_FAIL_REASON:-could not be set up}"
	fi
	"${p}_variant_down"
	if [[ -n $BENCH_FAIL_REASON && -z $RAW_KEEP ]]; then
		bench_log "(logs are removed at exit; rerun with --raw-dir DIR to keep them)"
	fi
}

main() {
	parse_args "$@" || { usage >&2; exit 2; }
	if [[ $(id -u) -ne 0 ]]; then
		echo "bench: must run as root (it creates network namespaces and TUN devices)" >&2
		exit 1
	fi
	if [[ $INSTALL -eq 1 ]]; then
		"$BENCH_REPO/scripts/bootstrap.sh" bench || echo "bench: scripts/bootstrap.sh bench failed;" \
			"variants whose tools are missing will say so" >&2
	fi
	local lib
	for lib in netns measure veth wireguard openvpn seg; do
		# shellcheck source=/dev/null
		source "$BENCH_DIR/lib/$lib.sh"
	done

	# Long enough for the whole run; daemons die on their own after it even if we cannot
	# clean up (SIGKILL of this shell).
	# shellcheck disable=SC2034 # read by bench/lib/netns.sh
	BENCH_MAX_LIFETIME=$((BENCH_ROUNDS * ${#VARIANTS[@]} * (2 * BENCH_SECONDS + 90) + 120))
	BENCH_TMP=$(mktemp -d /tmp/seg-bench.XXXXXX)
	chmod 700 "$BENCH_TMP"
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [[ -n $RAW_KEEP ]]; then
		mkdir -p "$RAW_KEEP" || exit 1
		BENCH_RAW=$(cd "$RAW_KEEP" && pwd)
		: >"$BENCH_RAW/events.tsv"
	else
		BENCH_RAW=$BENCH_TMP/raw
		mkdir -p "$BENCH_RAW"
	fi

	local v p reason runnable=()
	for v in "${VARIANTS[@]}"; do
		p=$(variant_prefix "$v")
		if reason=$("${p}_variant_check" "$(variant_mode "$v")"); then
			runnable+=("$v")
		else
			case $v in seg-*) reason="not available yet: $reason" ;;
			*) reason="not available: $reason" ;; esac
			bench_record "$v" - unavailable "$reason"
			bench_log "$v: $reason"
		fi
	done

	if [[ ${#runnable[@]} -gt 0 ]]; then
		bench_ns_create "segb-a-$$" "segb-b-$$" || { bench_log "namespace setup failed"; exit 1; }
		bench_log "namespaces $BENCH_NS_A $BENCH_NS_B"
		if [[ -n $NS_SOCKBUF ]]; then
			bench_ns_udp_buffers "$NS_SOCKBUF" || exit 1
			bench_log "socket buffers inside the namespaces: $NS_SOCKBUF bytes"
		fi
		local round
		for ((round = 1; round <= BENCH_ROUNDS; round++)); do
			for v in "${runnable[@]}"; do
				run_variant "$v" "$round"
			done
		done
	fi

	local meta
	meta=$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
		date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" nproc "$(nproc)" kernel "$(uname -r)" \
		cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		rounds "$BENCH_ROUNDS" seconds "$BENCH_SECONDS" \
		ns_socket_buffers "${NS_SOCKBUF:-default}")
	echo
	echo "seg tunnel bench: $BENCH_ROUNDS round(s), $BENCH_SECONDS s per TCP test," \
		"$BENCH_PING_COUNT pings every $BENCH_PING_INTERVAL s; $(nproc) CPUs; medians of rounds"
	echo
	python3 "$BENCH_DIR/lib/report.py" report "$BENCH_RAW" "${JSON_OUT:--}" "$meta" \
		"${VARIANTS[@]}"
}

main "$@"
