#!/usr/bin/env bash
# Installs the Debian packages that bench/tunnel.sh needs, when missing. Kept apart from
# scripts/bootstrap.sh so that `make test` and CI do not pull VPN software they never run.
# Without root it only lists what is missing and how to install it.
set -euo pipefail

# One package a line: what it is for follows the name.
packages=(
	iproute2               # ip netns, veth, addresses inside the namespaces
	iputils-ping           # ping RTT through each tunnel
	iperf3                 # TCP throughput through each tunnel
	wireguard-go           # the userspace WireGuard baseline (never the kernel module)
	wireguard-tools        # wg genkey, wg setconf, wg show
	openvpn                # the OpenVPN 2.6 baseline (AES-256-GCM over UDP, TUN)
	openssl                # certificates for OpenVPN's TLS mode
	python3                # parses iperf3 JSON, computes medians, prints the table
	procps                 # pkill-free process checks: ps, used by the cleanup trap
)

names=()
for entry in "${packages[@]}"; do names+=("${entry%% *}"); done

missing=()
for pkg in "${names[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "seg-bench: missing Debian packages: ${missing[*]}" >&2
	echo "seg-bench: install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "seg-bench: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
