#!/usr/bin/env bash
# Installs the Debian packages seg needs, when missing. `scripts/bootstrap.sh` (called by
# `make`, `make test` and .ci/run) covers building, testing, fuzzing and the demo;
# `scripts/bootstrap.sh bench` adds what bench/ compares seg with (VPN software that tests
# never run). Without root it only lists what is missing and how to install it.
set -euo pipefail

set_name=${1:-build}
# One package a line: what it is for follows the name.
build_packages=(
	build-essential        # gcc, make
	cmake                  # the build
	pkg-config             # finds the libraries below
	clang                  # second compiler; libFuzzer harnesses
	clang-format           # make check-format, make format
	libclang-rt-14-dev     # libFuzzer and sanitizer runtimes for clang
	libssl-dev             # OpenSSL 3 libcrypto: AES-CMAC, AEADs, X25519, HKDF
	libprotobuf-c-dev      # SCION daemon API messages
	protobuf-c-compiler    # protoc-c, generates them
	libgrpc-dev            # gRPC core C API for the daemon client and testnet daemons
	libyaml-dev            # conf.yaml, adapter.yaml and .topo files
	libcmocka-dev          # unit tests
	libmnl-dev             # netlink for the IP adapter's routes and addresses
	iproute2               # network namespaces in integration tests and the demo
	iputils-ping           # the demo's ping (-D timestamps, 10 ms interval as root)
	curl                   # the demo's HTTP client in site A
	procps                 # pgrep: the demo smoke test checks that no process is left
	python3                # integration test drivers
	python3-grpcio         # a second gRPC implementation to check interoperability
	python3-protobuf       # message classes for the Python side of the interop tests
	protobuf-compiler      # protoc --python_out for those classes
	iperf3                 # throughput tests and benchmarks
	ethtool                # a test switches a namespace's loopback UDP segmentation off
)


bench_packages=(
	iproute2               # ip netns, veth, addresses inside the namespaces
	iputils-ping           # ping RTT through each tunnel
	iperf3                 # TCP throughput through each tunnel
	wireguard-go           # the userspace WireGuard baseline (never the kernel module)
	wireguard-tools        # wg genkey, wg setconf, wg show
	openvpn                # the OpenVPN 2.6 baseline (AES-256-GCM over UDP, TUN)
	openssl                # certificates for OpenVPN's TLS mode
	python3                # parses iperf3 JSON, computes medians, prints the table
	procps                 # ps, for the cleanup trap's checks of its own PIDs
)

case "$set_name" in
build) packages=("${build_packages[@]}") ;;
bench) packages=("${bench_packages[@]}") ;;
*)
	echo "bootstrap: unknown package set \"$set_name\" (use build or bench)" >&2
	exit 2
	;;
esac

names=()
for entry in "${packages[@]}"; do names+=("${entry%% *}"); done

missing=()
for pkg in "${names[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "seg: missing Debian packages: ${missing[*]}" >&2
	echo "seg: install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "seg: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
