#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The example adapter end to end (docs/writing-an-adapter.md): two `seg-echo` processes
over seg-testnet. Lines typed into one arrive at the other as data; "ping" comes back as
"pong"; a line starting with "!" arrives as a control message; both directions; closing
stdin ends each process with status 0.

    tiny.topo:         110 (core)
                      #1/    \\#2
                    #41/      \\#1
      seg-echo (A)  111        112   seg-echo (B)

usage: echo_adapter.py --echo build/examples/echo_adapter/seg-echo --testnet build/seg-testnet
                       --topologies topologies
"""
import argparse
import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netproc import FAILED, Procs, as_of, check, gw_conf, testnet_start  # noqa: E402


class Echo:
    """A seg-echo process with its stdout read line by line on a thread."""

    def __init__(self, procs, binary, conf, name):
        self.name = name
        self.err = open(os.path.join(procs.dir, name + ".log"), "a")
        self.p = procs.start([binary, "-conf", conf], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=self.err, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))

    def send(self, text):
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()

    def expect(self, want, timeout=5.0):
        """Waits for a line equal to want; the lines before it are kept in seen."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if line == want:
                return True
        return check(False, "%s prints %r within %.0f s (got %r)" % (self.name, want, timeout,
                                                                     self.seen[-5:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--echo", required=True)
    ap.add_argument("--testnet", required=True)
    ap.add_argument("--topologies", required=True)
    args = ap.parse_args()
    procs = Procs()
    try:
        doc = testnet_start(procs, args.testnet, os.path.join(args.topologies, "tiny.topo"))
        as_a, as_b = as_of(doc, "1-ff00:0:111"), as_of(doc, "1-ff00:0:112")
        addr_a = "%s,%s:31010" % (as_a["ia"], as_a["host_ip"])
        addr_b = "%s,%s:31010" % (as_b["ia"], as_b["host_ip"])
        a = Echo(procs, args.echo, gw_conf(procs, "a", as_a, as_b), "A")
        b = Echo(procs, args.echo, gw_conf(procs, "b", as_b, as_a), "B")
        t0 = time.monotonic()
        if a.expect("* %s is up" % addr_b, 20) and b.expect("* %s is up" % addr_a, 20):
            print("peers up %.0f ms after start" % ((time.monotonic() - t0) * 1000))
            a.send("hello from A")
            b.expect("[%s] hello from A" % addr_a)
            b.send("hello from B")
            a.expect("[%s] hello from B" % addr_b)
            a.send("ping 1")
            b.expect("[%s] ping 1" % addr_a)
            a.expect("[%s] pong" % addr_b)
            b.send("!announce 10.0.0.0/8")
            a.expect("[%s] (control) announce 10.0.0.0/8" % addr_b)
            long_line = "x" * 3000  # two fragments on the 1280-byte link
            a.send(long_line)
            b.expect("[%s] %s" % (addr_a, long_line))
            # A restarts; B, untouched, sees it go and come back (peer_down, peer_up).
            a.p.stdin.close()
            check(a.p.wait(timeout=10) == 0, "A exits 0 when its stdin closes")
            t0 = time.monotonic()
            a = Echo(procs, args.echo, os.path.join(procs.dir, "a.yaml"), "A")
            if b.expect("* %s is down" % addr_a, 10) and b.expect("* %s is up" % addr_a, 10):
                print("B saw A back %.0f ms after A was started again"
                      % ((time.monotonic() - t0) * 1000))
            a.expect("* %s is up" % addr_b, 10)
            a.send("back again")
            b.expect("[%s] back again" % addr_a)
        for e in (a, b):
            e.p.stdin.close()
            check(e.p.wait(timeout=10) == 0, "%s exits 0 when its stdin closes" % e.name)
    finally:
        if FAILED:
            for name in ("A", "B"):
                path = os.path.join(procs.dir, name + ".log")
                if os.path.exists(path):
                    print("---- %s.log\n%s" % (name, open(path).read()[-4000:]))
        procs.close()
    print("FAILED: %d" % len(FAILED) if FAILED else "OK")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
