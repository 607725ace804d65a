# shellcheck shell=bash
# shellcheck disable=SC2034 # BENCH_* globals are read by the files that source this one
# Variant `wireguard-go`: userspace WireGuard, as a user would run it from Debian.
#
# wireguard-go creates a TUN device and does the crypto in its own process; we never create a
# kernel `wireguard` link, and after start-up we check that the interface is a TUN, so the
# kernel module (if the machine has one) cannot be measured by mistake. Keys are generated for
# every run with `wg genkey` and live only in this run's temporary directory.

WG_PORT=51820
WG_INNER_A=10.202.1.1
WG_INNER_B=10.202.1.2
WG_PIDS=()
WG_IFS=()

wg_variant_check() {
	command -v wireguard-go >/dev/null || { echo "wireguard-go not installed"; return 1; }
	command -v wg >/dev/null || { echo "wireguard-tools (wg) not installed"; return 1; }
	[[ -c /dev/net/tun ]] || { echo "/dev/net/tun missing"; return 1; }
}

# wg_side NS IF PRIVFILE PEERPUB ENDPOINT INNER PEERINNER: one end, started and configured.
wg_side() {
	local ns=$1 ifname=$2 priv=$3 peerpub=$4 endpoint=$5 inner=$6 peerinner=$7
	local conf="$BENCH_TMP/$ifname.conf" pid
	# UAPI sockets live in the shared /var/run/wireguard/, so the interface names carry our
	# PID and side: no two namespaces or runs can collide there.
	bench_spawn pid "$BENCH_RAW/$ifname.log" ip netns exec "$ns" \
		env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go "$ifname"
	WG_PIDS+=("$pid")
	WG_IFS+=("$ifname")
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S "/var/run/wireguard/$ifname.sock" ]] && break
		bench_pid_alive "$pid" || break
		sleep 0.1
	done
	if [[ ! -S "/var/run/wireguard/$ifname.sock" ]]; then
		bench_fail "wireguard-go did not start (see $ifname.log)"
		return 1
	fi
	bench_is_tun "$ns" "$ifname" || { bench_fail "$ifname is not a TUN device"; return 1; }
	(
		# The file holds a private key: created unreadable to others, removed after setconf.
		umask 077
		{
			printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n\n' \
				"$(cat "$priv")" "$WG_PORT"
			printf '[Peer]\nPublicKey = %s\nEndpoint = %s:%s\nAllowedIPs = %s/32\n' \
				"$peerpub" "$endpoint" "$WG_PORT" "$peerinner"
		} >"$conf"
	)
	if ! timeout 10 ip netns exec "$ns" wg setconf "$ifname" "$conf"; then
		bench_fail "wg setconf failed"
		return 1
	fi
	rm -f "$conf"
	ip -n "$ns" addr add "$inner/24" dev "$ifname" || { bench_fail "address on $ifname"; return 1; }
	ip -n "$ns" link set "$ifname" up || { bench_fail "$ifname up"; return 1; }
}

# wg_variant_up NS_A NS_B: both ends up; sets BENCH_SOURCE, BENCH_TARGET, BENCH_MTU.
# On failure sets the reason with bench_fail and returns 1.
wg_variant_up() {
	local a=$1 b=$2 if_a="sbwga$$" if_b="sbwgb$$"
	local ka="$BENCH_TMP/wg-a.key" kb="$BENCH_TMP/wg-b.key"
	(umask 077; wg genkey >"$ka" && wg genkey >"$kb") || { bench_fail "wg genkey failed"; return 1; }
	wg_side "$a" "$if_a" "$ka" "$(wg pubkey <"$kb")" "$BENCH_UNDERLAY_B" \
		"$WG_INNER_A" "$WG_INNER_B" || return 1
	wg_side "$b" "$if_b" "$kb" "$(wg pubkey <"$ka")" "$BENCH_UNDERLAY_A" \
		"$WG_INNER_B" "$WG_INNER_A" || return 1
	rm -f "$ka" "$kb"
	BENCH_SOURCE=$WG_INNER_A
	BENCH_TARGET=$WG_INNER_B
	BENCH_MTU=$(bench_if_mtu "$a" "$if_a")
}

wg_variant_down() {
	local ifname
	if [[ ${#WG_PIDS[@]} -gt 0 ]]; then
		bench_stop "${WG_PIDS[@]}"
	fi
	# wireguard-go removes its socket and TUN on TERM; after a KILL, remove what is ours.
	for ifname in "${WG_IFS[@]}"; do
		rm -f "/var/run/wireguard/$ifname.sock"
	done
	rm -f "$BENCH_TMP"/wg-*.key "$BENCH_TMP"/sbwg*.conf
	WG_PIDS=()
	WG_IFS=()
}
