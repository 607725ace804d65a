# shellcheck shell=bash
# The measurements, identical for every variant: ping RTT, then iperf3 TCP with 1 and with 4
# streams, from namespace A to the address the variant reached in namespace B. Raw outputs
# are kept in $BENCH_RAW; bench/lib/report.py turns them into medians, the table and JSON.

BENCH_IPERF_PORT=5201
BENCH_PING_COUNT=20
BENCH_PING_INTERVAL=0.05

# bench_reach NS TARGET: true once TARGET answers a ping from NS (tunnels may need a
# handshake first). At most 10 single pings, 1 s each.
bench_reach() {
	local ns=$1 target=$2 i
	for ((i = 0; i < 10; i++)); do
		if timeout 3 ip netns exec "$ns" ping -n -q -c 1 -W 1 "$target" >/dev/null 2>&1; then
			return 0
		fi
	done
	return 1
}

# bench_iperf NS_A TARGET SOURCE STREAMS OUT: one iperf3 TCP test, JSON to OUT.
bench_iperf() {
	local ns=$1 target=$2 source=$3 streams=$4 out=$5 omit=0
	# Leave out the first second (slow start) when the test is long enough to afford it.
	[[ $BENCH_SECONDS -ge 3 ]] && omit=1
	bench_run $((BENCH_SECONDS + omit + 20)) "$out" "$out.err" \
		ip netns exec "$ns" iperf3 -c "$target" -B "$source" -p "$BENCH_IPERF_PORT" \
		-t "$BENCH_SECONDS" -O "$omit" -P "$streams" -J --connect-timeout 5000
}

# bench_ping NS TARGET OUT: BENCH_PING_COUNT pings, BENCH_PING_INTERVAL apart, bounded by -w.
bench_ping() {
	local ns=$1 target=$2 out=$3
	bench_run 15 "$out" "$out" ip netns exec "$ns" \
		ping -n -c "$BENCH_PING_COUNT" -i "$BENCH_PING_INTERVAL" -w 10 "$target"
}

# bench_measure VARIANT ROUND: runs every measurement against BENCH_TARGET (in namespace B)
# from BENCH_SOURCE (in namespace A), as set by the variant's up function. Prints one line.
bench_measure() {
	local variant=$1 round=$2 base server line
	base="$BENCH_RAW/$variant.r$round"
	if ! bench_reach "$BENCH_NS_A" "$BENCH_TARGET"; then
		bench_record "$variant" "$round" failed "$BENCH_TARGET unreachable through the tunnel"
		return 1
	fi
	bench_ping "$BENCH_NS_A" "$BENCH_TARGET" "$base.ping.txt"

	bench_spawn server "$base.iperf-server.log" ip netns exec "$BENCH_NS_B" \
		iperf3 -s -B "$BENCH_TARGET" -p "$BENCH_IPERF_PORT"
	if ! bench_wait_listen "$BENCH_NS_B" "$BENCH_IPERF_PORT" 5; then
		bench_stop "$server"
		bench_record "$variant" "$round" failed "iperf3 server did not start"
		return 1
	fi
	bench_iperf "$BENCH_NS_A" "$BENCH_TARGET" "$BENCH_SOURCE" 1 "$base.tcp1.json"
	sleep 0.5
	bench_iperf "$BENCH_NS_A" "$BENCH_TARGET" "$BENCH_SOURCE" 4 "$base.tcp4.json"
	bench_stop "$server"

	bench_record "$variant" "$round" measured "mtu=${BENCH_MTU:-?}"
	line=$(python3 "$BENCH_DIR/lib/report.py" round "$BENCH_RAW" "$variant" "$round")
	bench_log "round $round $variant: $line"
}

# bench_record VARIANT ROUND STATUS TEXT: one line of the run's event log.
bench_record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_RAW/events.tsv"
}
