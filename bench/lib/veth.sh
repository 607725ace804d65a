# shellcheck shell=bash
# shellcheck disable=SC2034 # BENCH_* globals are read by the files that source this one
# Variant `veth`: iperf3 and ping straight over the underlay veth pair, no tunnel at all.
# This is the ceiling every tunnel is compared with.

veth_variant_check() {
	command -v iperf3 >/dev/null || { echo "iperf3 not installed"; return 1; }
	command -v ping >/dev/null || { echo "ping not installed"; return 1; }
}

veth_variant_up() {
	BENCH_SOURCE=$BENCH_UNDERLAY_A
	BENCH_TARGET=$BENCH_UNDERLAY_B
	BENCH_MTU=$(bench_if_mtu "$1" ul0)
}

veth_variant_down() {
	:
}
