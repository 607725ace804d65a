#!/usr/bin/env bash
# Self-check of the bench harness (not a benchmark, not a ctest): runs bench/tunnel.sh --smoke
# for the veth variant only and checks that the table and the JSON parse and hold plausible
# values, and that nothing is left behind. Needs root; exits 77 (skipped) without it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $(id -u) -ne 0 ]]; then
	echo "bench selftest: skipped (needs root for network namespaces)" >&2
	exit 77
fi

tmp=$(mktemp -d /tmp/seg-bench-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok: $what"
	else
		failed=$((failed + 1))
		echo "FAIL: $what"
	fi
}

timeout 120 "$here/tunnel.sh" --smoke --variants veth --json "$tmp/out.json" \
	>"$tmp/table.txt" 2>"$tmp/log.txt"
rc=$?
check "tunnel.sh --smoke exits 0" test "$rc" -eq 0
check "table has a veth row with numbers" \
	grep -Eq '^veth +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ ' "$tmp/table.txt"
check "JSON parses with plausible veth values" python3 - "$tmp/out.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
v = doc["variants"]["veth"]
assert v["status"] == "measured", v
assert len(v["rounds"]) == 1
assert 0.01 < v["tcp1_gbps"] < 1000 and 0.01 < v["tcp4_gbps"] < 1000, v
assert 0 < v["ping_avg_ms"] < 100 and 0 < v["ping_p50_ms"] < 100, v
assert doc["meta"]["rounds"] == "1" and doc["meta"]["seconds"] == "1"
PY
namespaces=$(sed -n 's/^bench: namespaces //p' "$tmp/log.txt")
check "the run named its namespaces" test -n "$namespaces"
for ns in $namespaces; do
	check "namespace $ns removed" bash -c "! ip netns list | grep -qw -- '$ns'"
done

if [[ $failed -ne 0 ]]; then
	echo "--- table"; cat "$tmp/table.txt"; echo "--- log"; cat "$tmp/log.txt"
fi
echo "bench selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
