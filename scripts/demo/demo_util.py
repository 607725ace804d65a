#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Helpers for scripts/demo.sh: read testnet.json and `seg status --json`, wait for a
gateway state, measure a ping outage, print the final table. Standard library only, run
with Debian's /usr/bin/python3.

Every subcommand prints one short answer on stdout (or a table) and exits 0; 1 means the
condition was not met in time or the input was unusable (the reason goes to stderr).

  testnet JSON IA FIELD           a field of an AS in testnet.json (daemon, host_ip, ...)
  testnet-net JSON                N|ASes: the network number (127.N.0.0/16), the AS count
  links JSON IA [public|hidden]   the AS's ends (IA#IFID) of its public or hidden links
  wait SEG CTL COND TIMEOUT_S     poll `seg status --json` until COND holds:
                                    up                 the (first) peer's session is up
                                    active             ... and it has an active path
                                    paths-alive N      ... and at least N live paths
                                    active-avoids IF   the active path avoids IA#IFID(s)
                                                       (comma-separated)
                                    active-hidden      the active path is a hidden one
                                    hidden-known       a hidden path is a candidate
  active SEG CTL                  the active path: id|hops|rtt_ms|hidden|first IA#IF|route
  summary SEG CTL                 public/hidden/alive counts of the peer's paths
  handshake LOG...                the session setup time from the gateways' logs, in us
  failover LOG T_BEFORE T_AFTER   ms from a link change (unix times around the command) to
                                  the first path switch after it, and its reason
  outage PINGLOG INTERVAL_S T_BEFORE T_AFTER
                                  sent, received, lost, and the outage around a link change
                                  (longest gap between replies then, less an interval) in ms
  table SEG CTL NAME              compact table of paths, RTTs and counters
"""
import datetime
import json
import re
import subprocess
import sys
import time


def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def load_testnet(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die(f"{path}: {e}")


def cmd_testnet(args):
    net = load_testnet(args[0])
    for a in net.get("ases", []):
        if a.get("ia") == args[1]:
            value = a.get(args[2])
            if value is None:
                die(f"{args[1]} has no field {args[2]!r} in {args[0]}")
            print(value)
            return
    die(f"{args[1]} is not in {args[0]}")


def cmd_testnet_net(args):
    net = load_testnet(args[0])
    print(f"{net['net']}|{len(net.get('ases', []))}")


def cmd_links(args):
    net = load_testnet(args[0])
    want_hidden = len(args) > 2 and args[2] == "hidden"
    ends = []
    for link in net.get("links", []):
        if bool(link.get("hidden")) != want_hidden:
            continue
        for end in (link.get("a", ""), link.get("b", "")):
            if end.startswith(args[1] + "#"):
                ends.append(end)
    if not ends:
        die(f"{args[1]} has no {'hidden' if want_hidden else 'public'} links in {args[0]}")
    print(" ".join(ends))


def status(seg, ctl):
    """`seg status --json` of the gateway at control socket ctl, or None."""
    try:
        out = subprocess.run([seg, "status", "--ctl", ctl, "--json"], capture_output=True,
                             timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return json.loads(out.stdout)
    except ValueError:
        return None


def first_peer(st):
    if not st or not st.get("peers"):
        return None
    return st["peers"][0]


def active_path(peer):
    for p in peer.get("paths", []):
        if p.get("active"):
            return p
    return None


def ias(interfaces):
    """'1-ff00:0:111#1 1-ff00:0:110#4 ...' -> ['111', '110', ...], the ASes in order."""
    out = []
    for hop in interfaces.split():
        ia = hop.split("#")[0]
        short = ia.rsplit(":", 1)[-1] if ia.startswith("1-ff00:0:") else ia
        if not out or out[-1] != short:
            out.append(short)
    return out


def route(path):
    return " → ".join(ias(path.get("interfaces", "")))


def condition(st, cond, arg):
    peer = first_peer(st)
    if not peer or peer.get("state") != "up":
        return False
    act = active_path(peer)
    if cond == "up":
        return True
    if cond == "active":
        return act is not None
    if cond == "paths-alive":
        return sum(1 for p in peer["paths"] if p.get("alive")) >= int(arg)
    if cond == "active-avoids":
        if not act or not act.get("alive"):
            return False
        used = set(act.get("interfaces", "").split())
        return not any(i in used for i in arg.split(","))
    if cond == "active-hidden":
        return bool(act and act.get("hidden") and act.get("alive"))
    if cond == "hidden-known":
        return any(p.get("hidden") for p in peer["paths"])
    die(f"unknown condition {cond!r}")
    return False


def cmd_wait(args):
    seg, ctl, cond = args[0], args[1], args[2]
    arg = args[3] if cond in ("paths-alive", "active-avoids") else None
    timeout = float(args[-1])
    deadline = time.monotonic() + timeout
    while True:
        if condition(status(seg, ctl), cond, arg):
            return
        if time.monotonic() >= deadline:
            die(f"timed out after {timeout:g} s waiting for '{cond}' at {ctl}")
        time.sleep(0.05)


def cmd_active(args):
    peer = first_peer(status(args[0], args[1]))
    act = active_path(peer) if peer else None
    if not act:
        die(f"no active path at {args[1]}")
    rtt = act.get("rtt_ms")
    first = act.get("interfaces", "").split()[0]
    print(f"{act['id']}|{act['hops']}|{'-' if rtt is None else f'{rtt:.2f}'}|"
          f"{'hidden' if act.get('hidden') else 'public'}|{first}|{route(act)}")


def cmd_summary(args):
    peer = first_peer(status(args[0], args[1]))
    if not peer:
        die(f"no peer at {args[1]}")
    paths = peer.get("paths", [])
    hidden = sum(1 for p in paths if p.get("hidden"))
    alive = sum(1 for p in paths if p.get("alive"))
    print(f"{len(paths) - hidden} public, {hidden} hidden, {alive} alive")


LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z\s")


def log_time(line):
    m = LOG_TIME.match(line)
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def read_lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readlines()
    except OSError as e:
        die(f"{path}: {e}")
        return []


def cmd_handshake(args):
    pat = re.compile(r"session established \((\w+), (\d+) us\)")
    for path in args:
        for line in read_lines(path):
            m = pat.search(line)
            if m and m.group(1) == "initiator":
                print(m.group(2))
                return
    die("no 'session established (initiator, N us)' line in the logs")


def cmd_failover(args):
    """The first path switch logged at or after T_BEFORE (when the link command started),
    in ms after T_AFTER (when it returned: the routers apply a change before answering)."""
    t_before, t_after = float(args[1]), float(args[2])
    pat = re.compile(r"active path (\d+) -> (\d+) \(([^)]*)\)")
    for line in read_lines(args[0]):
        m = pat.search(line)
        t = log_time(line)
        # Log times have millisecond resolution.
        if m and t is not None and t >= t_before - 0.001:
            ms = (t - t_after) * 1000
            print(f"{ms:.0f}|{m.group(3)}" if ms >= 1 else f"<1|{m.group(3)}")
            return
    die(f"no path switch in {args[0]} after the link went down")


def cmd_outage(args):
    """iputils `ping -D -O` output: '[ts] N bytes from ...: icmp_seq=K ...' for replies,
    '[ts] no answer yet for icmp_seq=K' for requests still unanswered at the next send.
    The outage is the longest silence between two consecutive replies that overlaps the
    change (from T_BEFORE to a second after T_AFTER), less the one interval that is no
    outage; a hiccup elsewhere in the run is not the failover's."""
    interval, t_before, t_after = float(args[1]), float(args[2]), float(args[3])
    reply = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)")
    missing = re.compile(r"^\[\d+\.\d+\] no answer yet for icmp_seq=(\d+)")
    summary = re.compile(r"^(\d+) packets transmitted, (\d+) received")
    times, last_reply, last_missing, n_sent, n_recv = [], -1, -1, None, None
    for line in read_lines(args[0]):
        m = reply.match(line)
        if m:
            times.append(float(m.group(1)))
            last_reply = max(last_reply, int(m.group(2)))
            continue
        m = missing.match(line)
        if m:
            last_missing = max(last_missing, int(m.group(1)))
            continue
        m = summary.match(line)
        if m:
            n_sent, n_recv = int(m.group(1)), int(m.group(2))
    if n_sent is None or len(times) < 2:
        die(f"{args[0]}: no ping summary or fewer than two replies")
    if last_missing > last_reply:
        die(f"{args[0]}: no reply after icmp_seq={last_reply}: traffic did not recover")
    if times[0] >= t_before or times[-1] <= t_after:
        die(f"{args[0]}: the replies do not span the link change")
    gaps = [b - a for a, b in zip(times, times[1:]) if b > t_before and a < t_after + 1.0]
    outage = max(0.0, (max(gaps) - interval) * 1000)
    print(f"{n_sent}|{n_recv}|{n_sent - n_recv}|{outage:.0f}")


def human_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cmd_table(args):
    seg, ctl, name = args
    st = status(seg, ctl)
    peer = first_peer(st)
    if not peer:
        die(f"no peer at {ctl}")
    print(f"   {name}: {st['local']} → {peer['remote']}, session {peer['state']}, "
          f"{peer['handshakes']} handshake(s), {peer['rekeys']} rekey(s)")
    width = max([len(route(p)) for p in peer["paths"]] + [5])
    print(f"   {'':1} {'ID':>3}  {'ROUTE':<{width}} {'LINKS':>5} {'RTT':>9} {'LOSS':>6}  STATE")
    for p in peer["paths"]:
        rtt = "-" if p.get("rtt_ms") is None else f"{p['rtt_ms']:.2f} ms"
        state = ("alive" if p.get("alive") else "dead") + (", hidden" if p.get("hidden") else "")
        print(f"   {'*' if p.get('active') else ' ':1} {p['id']:>3}  {route(p):<{width}} "
              f"{p['hops']:>5} {rtt:>9} {p['loss'] * 100:>5.1f}%  {state}")
    drops = peer.get("drops") or {}
    drop_text = ", ".join(f"{k}={v}" for k, v in sorted(drops.items())) or "none"
    print(f"   counters: tx {peer['tx_packets']} packets ({human_bytes(peer['tx_bytes'])}), "
          f"rx {peer['rx_packets']} packets ({human_bytes(peer['rx_bytes'])}), drops: {drop_text}")


COMMANDS = {
    "testnet": (cmd_testnet, 3),
    "testnet-net": (cmd_testnet_net, 1),
    "links": (cmd_links, None),
    "wait": (cmd_wait, None),
    "active": (cmd_active, 2),
    "summary": (cmd_summary, 2),
    "handshake": (cmd_handshake, None),
    "failover": (cmd_failover, 3),
    "outage": (cmd_outage, 4),
    "table": (cmd_table, 3),
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die(__doc__)
    fn, nargs = COMMANDS[sys.argv[1]]
    args = sys.argv[2:]
    if nargs is not None and len(args) != nargs:
        die(f"{sys.argv[1]}: expected {nargs} arguments, got {len(args)}")
    if sys.argv[1] == "wait" and len(args) < 4:
        die("wait: SEG CTL COND [ARG] TIMEOUT_S")
    fn(args)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C: the demo's own trap reports it and cleans up
