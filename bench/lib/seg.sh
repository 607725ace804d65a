# shellcheck shell=bash
# Variants `seg-1as` (both gateways in one AS: empty SCION path) and `seg-testnet` (gateways
# in two ASes of a seg-testnet topology: border routers in the path).
#
# Today this is a slot: the gateway and its IP adapter are still being built. The check
# below looks for what the variant needs and says what is missing; it never reports a
# number it did not measure. To plug seg in, implement seg_variant_up/seg_variant_down
# (and drop the "not written yet" line in seg_variant_check). The contract, shared by every
# variant (see veth.sh, wireguard.sh, openvpn.sh):
#
#   seg_variant_up NS_A NS_B MODE      MODE is 1as or testnet
#     - start processes only with `bench_spawn VAR LOG cmd...` (inside the namespaces with
#       `ip netns exec NS`), and add their PIDs to SEG_PIDS;
#     - one gateway per namespace, its IP adapter's TUN with 10.202.3.1/24 (A) and
#       10.202.3.2/24 (B) for 1as, 10.202.4.x for testnet; the underlay between the
#       namespaces is the veth 10.201.0.1 <-> 10.201.0.2 (BENCH_UNDERLAY_A/B): any router,
#       daemon or gateway socket binds there or on the namespace's own loopback, never in
#       the root namespace;
#     - wait until the tunnel passes traffic or fail: `bench_fail "why"; return 1`;
#     - set BENCH_SOURCE (inner address in A), BENCH_TARGET (inner address in B), BENCH_MTU.
#   seg_variant_down                   stop SEG_PIDS with bench_stop; delete what up made.

SEG_PIDS=()

# seg_find_bin NAME: prints the path of a built seg executable, or nothing. $SEG_BIN_DIR
# (if set) wins over the CMake build trees of this checkout.
seg_find_bin() {
	local name=$1 dir
	for dir in ${SEG_BIN_DIR:+"$SEG_BIN_DIR"} "$BENCH_REPO/build/cmd" "$BENCH_REPO/build"; do
		if [[ -f "$dir/$name" && -x "$dir/$name" ]]; then
			printf '%s\n' "$dir/$name"
			return 0
		fi
	done
	return 1
}

# seg_variant_check MODE: true when the variant can run; otherwise prints what is missing.
seg_variant_check() {
	local mode=$1 missing=()
	seg_find_bin seg >/dev/null || missing+=("seg binary")
	seg_find_bin seg-testnet >/dev/null || missing+=("seg-testnet binary")
	[[ -c /dev/net/tun ]] || missing+=("/dev/net/tun")
	if [[ ${#missing[@]} -gt 0 ]]; then
		local text=${missing[0]} m
		for m in "${missing[@]:1}"; do text+=", $m"; done
		echo "$text missing (looked in ${SEG_BIN_DIR:+$SEG_BIN_DIR, }build/cmd, build)"
		return 1
	fi
	# The binaries exist but nothing below starts them yet: say so rather than pretend.
	echo "seg binaries found, but bench/lib/seg.sh does not start them yet (mode $mode)"
	return 1
}

seg_variant_up() {
	bench_fail "seg_variant_up is not written yet (mode ${3:-?})"
	return 1
}

seg_variant_down() {
	if [[ ${#SEG_PIDS[@]} -gt 0 ]]; then
		bench_stop "${SEG_PIDS[@]}"
	fi
	SEG_PIDS=()
}
