#!/usr/bin/env bash
# Gateway data-path benchmark: packets/s and ns/packet of the TX and RX pipelines without the
# kernel (bench/pps.c), next to the bare AEAD; then, under valgrind --tool=callgrind with a
# fixed packet count, instructions per packet and their ratio to the bare AEAD call (stable
# on noisy machines, unlike the times). Usage: bench/pps.sh [BUILD_DIR] [--no-callgrind]
set -euo pipefail
build=build
callgrind=1
for a in "$@"; do
	case "$a" in
	--no-callgrind) callgrind=0 ;;
	*) build=$a ;;
	esac
done
bin="$build/bench/pps"
[[ -x "$bin" ]] || { echo "pps.sh: build first ($bin missing)" >&2; exit 1; }

echo "== time (median of 3 runs of 65536 packets; noisy: compare within one run)"
"$bin"
[[ $callgrind == 1 ]] || exit 0
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
	echo "(valgrind not installed: no instruction counts)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=3200
# incl FILE FUNCTION -> inclusive instructions of FUNCTION
incl() {
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v f="$2" '!done && ($0 ~ (":" f " ") || $0 ~ (":" f "$")) {
			gsub(",", "", $1); print $1; done = 1 }'
}
echo
echo "== instructions per packet (callgrind, $count packets each way; ratio to the bare AEAD)"
printf '%-18s %5s %9s %9s %9s %9s %7s %7s\n' cipher bytes TX RX "AEAD seal" "AEAD open" \
	TX/seal RX/open
for cipher in aes-256-gcm chacha20-poly1305; do
	for size in 64 512 1400; do
		out="$work/cg.$cipher.$size"
		timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" \
			"$bin" --count "$count" --size "$size" --cipher "$cipher" \
			>"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
		tx=$(incl "$out" bench_tx_batch)
		rx=$(incl "$out" bench_rx_batch)
		seal=$(incl "$out" bench_aead_seal_batch)
		open=$(incl "$out" bench_aead_open_batch)
		awk -v c="$cipher" -v s="$size" -v n="$count" -v tx="$tx" -v rx="$rx" \
			-v se="$seal" -v op="$open" 'BEGIN {
			printf "%-18s %5d %9d %9d %9d %9d %6.2fx %6.2fx\n", c, s, tx / n, rx / n,
				se / n, op / n, tx / se, rx / op }'
	done
done
