#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The seg-testnet binary as a process: `run` with the 20-AS topology until testnet.json
appears, every AS's entry and key files checked, `link` and `status` against it, then SIGTERM
and a clean exit (status 0, control socket and pid file removed). Also SIGINT on a tiny
network, and the errors of bad invocations.

usage: test_seg_testnet.py --bin build/seg-testnet --topologies topologies
"""
import argparse
import base64
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

FAILED = []


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def wait_json(d, proc, timeout=10.0):
    """testnet.json written by this process (pid matches), once the pid file is there too."""
    path = os.path.join(d, "testnet.json")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("seg-testnet exited early: %s" % proc.stderr.read())
        if os.path.exists(os.path.join(d, "testnet.pid")) and os.path.exists(path):
            with open(path) as f:
                doc = json.load(f)
            if doc["pid"] == proc.pid:
                return doc
        time.sleep(0.02)
    raise RuntimeError("no testnet.json within %.0f s" % timeout)


def load(d):
    with open(os.path.join(d, "testnet.json")) as f:
        return json.load(f)


def link_of(doc, a):
    return [l for l in doc["links"] if l["a"] == a][0]


def cli(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=10)


def stop(proc, sig, timeout=10.0):
    proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def check_ases(doc, d):
    check(len(doc["ases"]) == 20, "20 ASes")
    for k, a in enumerate(doc["ases"], start=1):
        ip = "127.%d.%d.1" % (doc["net"], k)
        check(a["host_ip"] == ip, "host_ip of %s" % a["ia"])
        check(a["daemon"] == ip + ":30255", "daemon of %s" % a["ia"])
        check(a["router"] == ip + ":30042", "router of %s" % a["ia"])
        check(isinstance(a["core"], bool) and a["mtu"] >= 1280, "core/mtu of %s" % a["ia"])
        for i in a["interfaces"]:
            check(i["local"] == "%s:%d" % (ip, 40000 + i["ifid"]), "iface addr %s" % i)
        for name in ("master0.key", "master1.key"):
            p = os.path.join(d, a["ia"], "keys", name)
            mode = stat.S_IMODE(os.stat(p).st_mode)
            check(mode == 0o600, "%s mode %o" % (p, mode))
            with open(p) as f:
                check(len(base64.b64decode(f.read(), validate=True)) == 16, p)
        # The daemon listens.
        host, port = a["daemon"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=2):
            pass
    core = {a["ia"] for a in doc["ases"] if a["core"]}
    check(len(core) == 5, "five core ASes")
    hidden = [l for l in doc["links"] if l["hidden"]]
    check(len(hidden) == 1 and hidden[0]["a"] == "1-ff00:0:121#3", "one hidden link")
    check(all(l["state"] == "up" for l in doc["links"]), "all links up")
    check(all(l["type"] in ("CORE", "CHILD", "PEER") for l in doc["links"]), "link types")


def test_twenty(binary, topologies):
    with tempfile.TemporaryDirectory(prefix="seg-testnet-") as d:
        proc = subprocess.Popen([binary, "run", os.path.join(topologies, "twenty.topo"),
                                 "--dir", d, "--net", "auto", "--seed", "7"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            doc = wait_json(d, proc)
            check_ases(doc, d)
            r = cli(binary, "link", "down", "1-ff00:0:121#3", "--dir", d)
            check(r.returncode == 0, "link down: %s" % r.stderr)
            check(link_of(load(d), "1-ff00:0:121#3")["state"] == "down", "state down")
            r = cli(binary, "link", "set", "1-ff00:0:110#1", "--loss", "5", "--delay", "10ms",
                    "--dir", d)
            check(r.returncode == 0, "link set: %s" % r.stderr)
            l = link_of(load(d), "1-ff00:0:110#1")
            check(l["loss_ppm"] == 50000 and l["delay_us"] == 10000, "loss and delay %s" % l)
            r = cli(binary, "link", "up", "1-ff00:0:121#3", "--dir", d)
            check(r.returncode == 0 and link_of(load(d), "1-ff00:0:121#3")["state"] == "up",
                  "link up")
            r = cli(binary, "link", "down", "1-ff00:0:110#99", "--dir", d)
            check(r.returncode == 1 and "'1-ff00:0:110#99'" in r.stderr, "unknown link: %s"
                  % r.stderr)
            r = cli(binary, "status", "--dir", d)
            check(r.returncode == 0, "status")
            st = json.loads(r.stdout)
            check(st["net"] == doc["net"] and len(st["routers"]) == 20, "status content")
        finally:
            rc = stop(proc, signal.SIGTERM)
        check(rc == 0, "SIGTERM exit status %s" % rc)
        check(not os.path.exists(os.path.join(d, "control.sock")), "control.sock removed")
        check(not os.path.exists(os.path.join(d, "testnet.pid")), "testnet.pid removed")
        out = proc.stdout.read()
        check("20 ASes" in out and "testnet.json" in out, "summary printed: %r" % out)


def test_sigint(binary, topologies):
    with tempfile.TemporaryDirectory(prefix="seg-testnet-") as d:
        proc = subprocess.Popen([binary, "run", os.path.join(topologies, "tiny.topo"),
                                 "--dir", d, "--net", "auto"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_json(d, proc)
        finally:
            rc = stop(proc, signal.SIGINT)
        check(rc == 0, "SIGINT exit status %s" % rc)
        check(not os.path.exists(os.path.join(d, "control.sock")), "control.sock removed")


def test_errors(binary, topologies):
    with tempfile.TemporaryDirectory(prefix="seg-testnet-") as d:
        bad = os.path.join(d, "bad.topo")
        with open(bad, "w") as f:
            f.write('ASes:\n  "1-ff00:0:110": {core: true, colour: red}\nlinks: []\n')
        r = cli(binary, "run", bad, "--dir", d)
        check(r.returncode == 1 and "'colour'" in r.stderr, "bad topology: %s" % r.stderr)
        r = cli(binary, "run", os.path.join(topologies, "tiny.topo"), "--dir", d, "--net", "x")
        check(r.returncode == 2 and "'x'" in r.stderr, "bad --net: %s" % r.stderr)
        r = cli(binary, "link", "flap", "1-ff00:0:110#1", "--dir", d)
        check(r.returncode == 2 and "'flap'" in r.stderr, "bad action: %s" % r.stderr)
        r = cli(binary, "status", "--dir", d)
        check(r.returncode == 1 and "no testnet answers" in r.stderr, "status, nothing runs")
        r = cli(binary, "bogus")
        check(r.returncode == 2 and "'bogus'" in r.stderr, "unknown command")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--topologies", required=True)
    args = ap.parse_args()
    tests = [test_twenty, test_sigint, test_errors]
    passed = failed = 0
    for t in tests:
        n = len(FAILED)
        try:
            t(args.bin, args.topologies)
        except Exception as e:  # a crash of the harness is a failure, never a skip
            FAILED.append("%s: %s" % (t.__name__, e))
            print("FAIL:", t.__name__, e, file=sys.stderr)
        ok = len(FAILED) == n
        passed += ok
        failed += not ok
        print("%s %s" % ("ok  " if ok else "FAIL", t.__name__))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
