# SPDX-License-Identifier: MIT
"""Helpers of the process-level integration tests: a seg-testnet run in a temporary
directory, gateway configuration files, processes started and always stopped (only the ones
started here, by their own Popen handles)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

FAILED = []


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print("FAIL:", what, flush=True)
    return cond


class Procs:
    """Every process started through it is stopped by close(): SIGTERM, then SIGKILL."""

    def __init__(self):
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="seg-integ-")

    def start(self, args, **kw):
        p = subprocess.Popen(args, **kw)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def testnet_start(procs, binary, topo, timeout=10.0):
    """Runs `seg-testnet run` on a free network number; returns its testnet.json."""
    d = os.path.join(procs.dir, "net")
    log = open(os.path.join(procs.dir, "testnet.log"), "w")
    p = procs.start([binary, "run", topo, "--dir", d, "--net", "auto"], stdout=log,
                    stderr=subprocess.STDOUT)
    path = os.path.join(d, "testnet.json")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if p.poll() is not None:
            raise RuntimeError("seg-testnet exited early (status %d)" % p.returncode)
        if os.path.exists(os.path.join(d, "testnet.pid")) and os.path.exists(path):
            with open(path) as f:
                doc = json.load(f)
            if doc["pid"] == p.pid:
                return doc
        time.sleep(0.02)
    raise RuntimeError("no testnet.json within %.0f s" % timeout)


def as_of(doc, ia):
    return [a for a in doc["ases"] if a["ia"] == ia][0]


def gw_conf(procs, name, local, remote, port=31010):
    """conf.yaml of gateway `name` in AS `local` (a testnet.json entry), one remote."""
    path = os.path.join(procs.dir, name + ".yaml")
    sock = os.path.join(procs.dir, name + ".sock")
    with open(path, "w") as f:
        f.write("address: %s,%s:%d\n" % (local["ia"], local["host_ip"], port))
        f.write("daemonAddr: %s\n" % local["daemon"])
        f.write("controlSocket: %s\n" % sock)
        f.write("remotes:\n  - address: %s,%s:%d\n    description: %s-peer\n"
                % (remote["ia"], remote["host_ip"], port, name))
    return path


def wait_for(what, fn, timeout):
    """Polls fn() every 50 ms until it returns a true value; returns it, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    check(False, "%s within %.0f s" % (what, timeout))
    return None
