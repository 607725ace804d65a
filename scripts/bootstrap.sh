#!/usr/bin/env bash
# Installs the Debian packages seg needs to build, test, fuzz and run its demo, when missing.
# Called by `make`, `make test` and .ci/run, so a fresh Debian machine needs nothing else.
# Without root it only lists what is missing and how to install it.
set -euo pipefail

# One package a line: what it is for follows the name.
packages=(
	build-essential        # gcc, make
	cmake                  # the build
	pkg-config             # finds the libraries below
	clang                  # second compiler; libFuzzer harnesses
	libclang-rt-14-dev     # libFuzzer and sanitizer runtimes for clang
	libssl-dev             # OpenSSL 3 libcrypto: AES-CMAC, AEADs, X25519, HKDF
	libprotobuf-c-dev      # SCION daemon API messages
	protobuf-c-compiler    # protoc-c, generates them
	libgrpc-dev            # gRPC core C API for the daemon client and testnet daemons
	libyaml-dev            # conf.yaml, adapter.yaml and .topo files
	libcmocka-dev          # unit tests
	libmnl-dev             # netlink for the IP adapter's routes and addresses
	iproute2               # network namespaces in integration tests and the demo
	python3                # integration test drivers
	python3-grpcio         # a second gRPC implementation to check interoperability
	python3-protobuf       # message classes for the Python side of the interop tests
	protobuf-compiler      # protoc --python_out for those classes
	iperf3                 # throughput tests and benchmarks
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
	echo "seg: missing Debian packages: ${missing[*]}" >&2
	echo "seg: install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "seg: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
