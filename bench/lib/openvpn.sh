# shellcheck shell=bash
# shellcheck disable=SC2034 # BENCH_* globals are read by the files that source this one
# Variant `openvpn`: OpenVPN 2.6 peer-to-peer, UDP, `--dev tun`, data channel AES-256-GCM.
#
# Static-key mode (`--secret`) cannot be used: 2.6 refuses AEAD ciphers there ("Cipher
# 'AES-256-GCM' mode not supported") and deprecates the mode. So this is the minimal TLS
# setup 2.6 documents for two peers: one self-signed EC certificate per side, generated for
# every run with the openssl CLI, each side pinning the other's with --peer-fingerprint (no
# CA). Data-channel offload is disabled so the data path is the TUN device, as with the
# other variants; the interface type and the negotiated cipher are checked, not assumed.

OVPN_PORT=1194
OVPN_INNER_A=10.202.2.1
OVPN_INNER_B=10.202.2.2
OVPN_PIDS=()

ovpn_variant_check() {
	local version
	command -v openvpn >/dev/null || { echo "openvpn not installed"; return 1; }
	command -v openssl >/dev/null || { echo "openssl not installed"; return 1; }
	[[ -c /dev/net/tun ]] || { echo "/dev/net/tun missing"; return 1; }
	version=$(timeout 5 openvpn --version 2>/dev/null | sed -n '1s/^OpenVPN \([0-9.]*\).*/\1/p')
	case $version in
	2.[6-9]* | [3-9].*) ;;
	*) echo "openvpn ${version:-unknown} found, 2.6 or later needed"; return 1 ;;
	esac
}

# ovpn_cert NAME: self-signed P-256 certificate and key in $BENCH_TMP; prints the SHA-256
# fingerprint in the form --peer-fingerprint expects.
ovpn_cert() {
	local name=$1
	(
		umask 077
		timeout 20 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -days 1 -subj "/CN=seg-bench-$name" \
			-keyout "$BENCH_TMP/ovpn-$name.key" -out "$BENCH_TMP/ovpn-$name.crt" 2>/dev/null
	) || return 1
	timeout 5 openssl x509 -in "$BENCH_TMP/ovpn-$name.crt" -noout -fingerprint -sha256 |
		sed -n 's/^.*Fingerprint=//p'
}

# ovpn_side NS NAME ROLE LOCAL REMOTE INNER PEERINNER PEERFP
ovpn_side() {
	local ns=$1 name=$2 role=$3 local=$4 remote=$5 inner=$6 peerinner=$7 peerfp=$8 pid
	local ifname="sbov$name$$" extra=()
	[[ $role == server ]] && extra=(--tls-server --dh none) || extra=(--tls-client)
	bench_spawn pid "$BENCH_RAW/openvpn-$name.log" ip netns exec "$ns" \
		openvpn --dev "$ifname" --dev-type tun --disable-dco \
		--proto udp4 --local "$local" --lport "$OVPN_PORT" \
		--remote "$remote" --rport "$OVPN_PORT" \
		--ifconfig "$inner" "$peerinner" \
		"${extra[@]}" --cert "$BENCH_TMP/ovpn-$name.crt" --key "$BENCH_TMP/ovpn-$name.key" \
		--peer-fingerprint "$peerfp" \
		--data-ciphers AES-256-GCM --data-ciphers-fallback AES-256-GCM \
		--script-security 0 --connect-retry 1 --hand-window 20 --verb 3
	OVPN_PIDS+=("$pid")
	OVPN_LAST_PID=$pid
}

# ovpn_variant_up NS_A NS_B: both peers up and handshaken; sets BENCH_SOURCE, BENCH_TARGET,
# BENCH_MTU. On failure sets the reason with bench_fail and returns 1.
ovpn_variant_up() {
	local a=$1 b=$2 fp_a fp_b pid_a pid_b log
	if ! fp_a=$(ovpn_cert a) || ! fp_b=$(ovpn_cert b) || [[ -z $fp_a || -z $fp_b ]]; then
		bench_fail "certificate generation failed"
		return 1
	fi
	ovpn_side "$b" b server "$BENCH_UNDERLAY_B" "$BENCH_UNDERLAY_A" \
		"$OVPN_INNER_B" "$OVPN_INNER_A" "$fp_a"
	pid_b=$OVPN_LAST_PID
	ovpn_side "$a" a client "$BENCH_UNDERLAY_A" "$BENCH_UNDERLAY_B" \
		"$OVPN_INNER_A" "$OVPN_INNER_B" "$fp_b"
	pid_a=$OVPN_LAST_PID
	for log in a:"$pid_a" b:"$pid_b"; do
		if ! bench_wait_log "$BENCH_RAW/openvpn-${log%%:*}.log" \
			"Initialization Sequence Completed" 25 "${log#*:}"; then
			bench_fail "openvpn side ${log%%:*} did not complete (see openvpn-${log%%:*}.log)"
			return 1
		fi
	done
	for log in a b; do
		if ! bench_wait_log "$BENCH_RAW/openvpn-$log.log" \
			"Data Channel: cipher 'AES-256-GCM'" 5; then
			bench_fail "openvpn side $log did not negotiate AES-256-GCM"
			return 1
		fi
	done
	if ! bench_is_tun "$a" "sbova$$" || ! bench_is_tun "$b" "sbovb$$"; then
		bench_fail "openvpn interfaces are not TUN devices"
		return 1
	fi
	BENCH_SOURCE=$OVPN_INNER_A
	BENCH_TARGET=$OVPN_INNER_B
	BENCH_MTU=$(bench_if_mtu "$a" "sbova$$")
}

ovpn_variant_down() {
	if [[ ${#OVPN_PIDS[@]} -gt 0 ]]; then
		bench_stop "${OVPN_PIDS[@]}"
	fi
	OVPN_PIDS=()
	rm -f "$BENCH_TMP"/ovpn-*.key "$BENCH_TMP"/ovpn-*.crt
}
