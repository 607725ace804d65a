# shellcheck shell=bash
# shellcheck disable=SC2034 # BENCH_* globals are read by the files that source this one
# Network namespaces, the underlay veth pair, and the processes the bench starts.
#
# Safety rules this file enforces for every variant (see docs: network safety):
# - Every address and route lives inside the two namespaces this run created. The veth pair
#   is created directly inside them (`ip -n A link add ... peer ... netns B`), so no interface
#   of the root namespace is ever created, addressed or routed.
# - Every process is started through bench_spawn, which wraps it in `timeout` (so it dies on
#   its own even if this shell is killed with SIGKILL) and records its PID; cleanup signals
#   only those PIDs, never processes found by name.

# Underlay addresses, only ever present inside the namespaces.
BENCH_UNDERLAY_A=10.201.0.1
BENCH_UNDERLAY_B=10.201.0.2
BENCH_UNDERLAY_PREFIX=30

BENCH_NS_A=""
BENCH_NS_B=""
BENCH_PIDS=()
BENCH_NS_CREATED=()

bench_log() {
	printf '%s\n' "bench: $*" >&2
}

# bench_ns_create A B: creates both namespaces with loopback up, and the underlay veth pair.
bench_ns_create() {
	local a=$1 b=$2
	ip netns add "$a" || return 1
	BENCH_NS_CREATED+=("$a")
	ip netns add "$b" || return 1
	BENCH_NS_CREATED+=("$b")
	BENCH_NS_A=$a
	BENCH_NS_B=$b
	ip -n "$a" link set lo up || return 1
	ip -n "$b" link set lo up || return 1
	# Both ends are born inside the namespaces: the root namespace never sees them.
	ip -n "$a" link add ul0 type veth peer name ul0 netns "$b" || return 1
	ip -n "$a" addr add "$BENCH_UNDERLAY_A/$BENCH_UNDERLAY_PREFIX" dev ul0 || return 1
	ip -n "$b" addr add "$BENCH_UNDERLAY_B/$BENCH_UNDERLAY_PREFIX" dev ul0 || return 1
	ip -n "$a" link set ul0 up || return 1
	ip -n "$b" link set ul0 up || return 1
}

# bench_ns_udp_buffers BYTES: raises the default and maximum socket buffer sizes inside both
# namespaces only (opt-in, --ns-socket-buffers). Only where the kernel keeps these sysctls
# per namespace: a fresh namespace shows /proc/sys/net/core/rmem_default only then. The root
# namespace's value is compared before and after, and the run stops if it moved.
bench_ns_udp_buffers() {
	local bytes=$1 ns before after k
	before=$(cat /proc/sys/net/core/rmem_default)
	for ns in "$BENCH_NS_A" "$BENCH_NS_B"; do
		if ! timeout 5 ip netns exec "$ns" test -e /proc/sys/net/core/rmem_default; then
			bench_log "socket buffer sysctls are not per-namespace on this kernel; not changed"
			return 1
		fi
		for k in rmem_default rmem_max wmem_default wmem_max; do
			timeout 5 ip netns exec "$ns" sysctl -qw "net.core.$k=$bytes" || return 1
		done
	done
	after=$(cat /proc/sys/net/core/rmem_default)
	if [[ "$before" != "$after" ]]; then
		echo "$before" >/proc/sys/net/core/rmem_default
		bench_log "root namespace's rmem_default changed; restored it and stopping"
		return 1
	fi
}

# bench_spawn VAR LOG CMD...: starts CMD in the background under `timeout`, stdout and stderr
# to LOG, records its PID and stores it in the variable named VAR. The PID is timeout's; a
# TERM to it is forwarded to the command and timeout exits when the command has.
bench_spawn() {
	local __bench_var=$1 __bench_log=$2
	shift 2
	timeout --kill-after=5 "$BENCH_MAX_LIFETIME" "$@" >"$__bench_log" 2>&1 </dev/null &
	BENCH_PIDS+=("$!")
	printf -v "$__bench_var" '%s' "$!"
}

# bench_run LIMIT OUT ERR CMD...: runs CMD to completion, bounded by LIMIT seconds. It runs as
# a recorded background job and this shell `wait`s for it, so INT or TERM reach the trap at
# once (bash would hold a trap until a foreground child exits, and `timeout` puts the child
# in its own process group, out of reach of the terminal's Ctrl-C).
bench_run() {
	local limit=$1 out=$2 err=$3 rc
	shift 3
	if [[ "$out" == "$err" ]]; then
		timeout --kill-after=5 "$limit" "$@" >"$out" 2>&1 </dev/null &
	else
		timeout --kill-after=5 "$limit" "$@" >"$out" 2>"$err" </dev/null &
	fi
	local __bench_pid=$!
	BENCH_PIDS+=("$__bench_pid")
	wait "$__bench_pid"
	rc=$?
	bench_forget "$__bench_pid"
	return "$rc"
}

# bench_forget PID: drops an exited PID from the list cleanup signals.
bench_forget() {
	local p kept=()
	for p in "${BENCH_PIDS[@]}"; do
		[[ "$p" == "$1" ]] || kept+=("$p")
	done
	BENCH_PIDS=("${kept[@]}")
}

# bench_pid_alive PID: true while that process (one of ours) has not exited.
bench_pid_alive() {
	kill -0 "$1" 2>/dev/null
}

# bench_stop PID...: TERM, wait up to 7 s, then KILL; only PIDs bench_spawn recorded. The
# PIDs are timeout's: it forwards the TERM and, with --kill-after=5, KILLs a command that
# ignores it, so our own KILL (which would orphan the command) is only the last resort.
bench_stop() {
	local pid tries
	for pid in "$@"; do
		[[ -n "$pid" ]] || continue
		bench_pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for pid in "$@"; do
		[[ -n "$pid" ]] || continue
		for ((tries = 0; tries < 70; tries++)); do
			bench_pid_alive "$pid" || break
			sleep 0.1
		done
		if bench_pid_alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
		bench_forget "$pid"
	done
}

# bench_wait_listen NS PORT SECONDS: true once a TCP listener on PORT exists inside NS.
bench_wait_listen() {
	local ns=$1 port=$2 secs=$3 i
	for ((i = 0; i < secs * 10; i++)); do
		if timeout 2 ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# bench_wait_log FILE PATTERN SECONDS [PID]: true once FILE contains PATTERN; false on timeout
# or as soon as the optional PID has exited.
bench_wait_log() {
	local file=$1 pattern=$2 secs=$3 pid=${4:-} i
	for ((i = 0; i < secs * 10; i++)); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		if [[ -n "$pid" ]] && ! bench_pid_alive "$pid"; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# bench_is_tun NS IF: true when IF inside NS is a TUN device (not a kernel wireguard or other).
bench_is_tun() {
	local details
	details=$(timeout 5 ip -n "$1" -d link show dev "$2" 2>/dev/null) || return 1
	# iproute2 prints "tun type tun" for a TUN; a kernel WireGuard link says "wireguard".
	grep -q 'tun type tun' <<<"$details" && ! grep -qw 'wireguard' <<<"$details"
}

# bench_cleanup: stops every process we started, deletes the namespaces we created (which
# removes every interface inside them). Safe to call more than once.
bench_cleanup() {
	local ns
	if [[ ${#BENCH_PIDS[@]} -gt 0 ]]; then
		bench_stop "${BENCH_PIDS[@]}"
	fi
	for ns in "${BENCH_NS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	BENCH_NS_CREATED=()
}

# bench_fail TEXT: why a variant's up function failed; the harness reports it.
bench_fail() {
	BENCH_FAIL_REASON=$*
}

# bench_if_mtu NS IF: prints the MTU of IF inside NS.
bench_if_mtu() {
	timeout 5 ip -n "$1" -o link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}
