#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A gateway restart re-establishes the session without restarting the peer: two `seg run`
processes over seg-testnet; one is killed (SIGKILL, then SIGTERM) and started again with the
same configuration; the other, untouched, sees a new handshake, state up, and its counters
move again (`seg status --json`).

    tiny.topo:         110 (core)
                      #1/    \\#2
                    #41/      \\#1
      seg run (A)   111        112   seg run (B, never restarted)

usage: restart.py --seg build/cmd/seg/seg --testnet build/seg-testnet --topologies topologies
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netproc import FAILED, Procs, as_of, check, gw_conf, testnet_start, wait_for  # noqa: E402


def status(seg, conf):
    r = subprocess.run([seg, "status", "-conf", conf, "--json"], capture_output=True,
                       text=True, timeout=10)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)["peers"][0]


def run_gw(procs, seg, conf, name):
    log = open(os.path.join(procs.dir, name + ".log"), "a")
    return procs.start([seg, "run", "-conf", conf], stdout=log, stderr=subprocess.STDOUT)


def restart(procs, args, a, conf_a, conf_b, sig):
    before = status(args.seg, conf_b)
    a.send_signal(sig)
    a.wait(timeout=5)
    t0 = time.monotonic()
    a = run_gw(procs, args.seg, conf_a, "a")

    def reestablished():
        s = status(args.seg, conf_b)
        return s if s and s["state"] == "up" and s["handshakes"] > before["handshakes"] else None

    after = wait_for("B re-establishes after A's %s" % sig.name, reestablished, 20)
    if not after:
        return a
    took = time.monotonic() - t0
    sa = wait_for("A up again", lambda: (lambda s: s if s and s["state"] == "up" else None)(
        status(args.seg, conf_a)), 10)
    # Counters move: B hears A again (probes, keepalives) and A hears B.
    moved = wait_for("B's rx_packets grow after the restart", lambda: (lambda s: s and s[
        "rx_packets"] >= after["rx_packets"] + 10)(status(args.seg, conf_b)), 10)
    print("%s: B re-established %.0f ms after A was started again (handshakes %d -> %d); "
          "A up: %s; B rx_packets %d -> %d" % (sig.name, took * 1000, before["handshakes"],
                                               after["handshakes"], bool(sa),
                                               before["rx_packets"],
                                               status(args.seg, conf_b)["rx_packets"]))
    check(bool(moved), "counters move")
    return a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seg", required=True)
    ap.add_argument("--testnet", required=True)
    ap.add_argument("--topologies", required=True)
    args = ap.parse_args()
    procs = Procs()
    try:
        doc = testnet_start(procs, args.testnet, os.path.join(args.topologies, "tiny.topo"))
        as_a, as_b = as_of(doc, "1-ff00:0:111"), as_of(doc, "1-ff00:0:112")
        conf_a = gw_conf(procs, "a", as_a, as_b)
        conf_b = gw_conf(procs, "b", as_b, as_a)
        a = run_gw(procs, args.seg, conf_a, "a")
        b = run_gw(procs, args.seg, conf_b, "b")
        first = wait_for("B up", lambda: (lambda s: s if s and s["state"] == "up" else None)(
            status(args.seg, conf_b)), 20)
        if first:
            a = restart(procs, args, a, conf_a, conf_b, signal.SIGKILL)
            a = restart(procs, args, a, conf_a, conf_b, signal.SIGTERM)
        check(b.poll() is None, "B still running, never restarted")
        for p, name in ((a, "a"), (b, "b")):
            p.send_signal(signal.SIGTERM)
            check(p.wait(timeout=10) == 0, "gateway %s exits 0 on SIGTERM" % name)
    finally:
        if FAILED:
            for name in ("a", "b"):
                path = os.path.join(procs.dir, name + ".log")
                if os.path.exists(path):
                    print("---- %s.log\n%s" % (name, open(path).read()[-4000:]))
        procs.close()
    print("FAILED: %d" % len(FAILED) if FAILED else "OK")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
