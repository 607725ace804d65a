#!/usr/bin/env python3
"""Turns the raw outputs of bench/tunnel.sh into per-round lines, the table, and JSON.

Raw directory layout (written by bench/lib/measure.sh):
  events.tsv                  variant, round, status, text (tab-separated)
                              status: measured | failed | unavailable
  VARIANT.rN.tcp1.json        iperf3 -J, 1 stream
  VARIANT.rN.tcp4.json        iperf3 -J, -P 4
  VARIANT.rN.ping.txt         ping output

Throughput is what the iperf3 receiver counted (end.sum_received), so data lost inside a
tunnel never counts. Every summary is the median over the rounds that produced a value.
"""
import json
import os
import re
import statistics
import sys

METRICS = ("tcp1_gbps", "tcp4_gbps", "ping_avg_ms", "ping_p50_ms")
REFERENCES = ("wireguard-go", "veth")


def parse_iperf(path):
    """Receiver Gbit/s of one iperf3 -J run, or None when it failed."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("error"):
        return None
    try:
        bps = float(data["end"]["sum_received"]["bits_per_second"])
    except (KeyError, TypeError, ValueError):
        return None
    return bps / 1e9 if bps > 0 else None


def parse_ping(path):
    """(avg ms, p50 ms, loss fraction) of one ping run, or (None, None, None)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None, None, None
    times = [float(t) for t in re.findall(r"time=([0-9.]+) ms", text)]
    m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    loss = None
    if m and int(m.group(1)) > 0:
        loss = 1.0 - int(m.group(2)) / int(m.group(1))
    if not times:
        return None, None, loss
    return statistics.fmean(times), statistics.median(times), loss


def round_values(raw, variant, rnd):
    base = os.path.join(raw, f"{variant}.r{rnd}")
    avg, p50, loss = parse_ping(base + ".ping.txt")
    return {
        "tcp1_gbps": parse_iperf(base + ".tcp1.json"),
        "tcp4_gbps": parse_iperf(base + ".tcp4.json"),
        "ping_avg_ms": avg,
        "ping_p50_ms": p50,
        "ping_loss": loss,
    }


def read_events(raw):
    events = []
    try:
        with open(os.path.join(raw, "events.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 4:
                    events.append(parts)
    except OSError:
        pass
    return events


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def summarize(raw, variants):
    """Per variant: status, reason, medians, and the per-round values."""
    events = read_events(raw)
    out = {}
    for v in variants:
        mine = [e for e in events if e[0] == v]
        rounds = []
        reasons = []
        status = "not run"
        for _, rnd, st, text in mine:
            if st == "unavailable":
                status = "unavailable"
                reasons.append(text)
            elif st == "failed":
                reasons.append(f"round {rnd}: {text}")
            elif st == "measured":
                vals = round_values(raw, v, rnd)
                vals["round"] = int(rnd)
                m = re.search(r"mtu=(\d+)", text)
                vals["mtu"] = int(m.group(1)) if m else None
                rounds.append(vals)
        entry = {"rounds": rounds, "notes": reasons}
        if rounds:
            entry["status"] = "measured"
            for k in METRICS:
                got = [r[k] for r in rounds if r[k] is not None]
                entry[k] = statistics.median(got) if got else None
                entry[k + "_min"] = min(got) if got else None
                entry[k + "_max"] = max(got) if got else None
            mtus = [r["mtu"] for r in rounds if r["mtu"]]
            entry["mtu"] = mtus[0] if mtus else None
        else:
            entry["status"] = "failed" if status != "unavailable" and reasons else status
        out[v] = entry
    return out


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def ratios(summary):
    out = {}
    for v, e in summary.items():
        if e["status"] != "measured":
            continue
        out[v] = {}
        for ref in REFERENCES:
            r = summary.get(ref)
            if not r or r["status"] != "measured" or ref == v:
                continue
            out[v][ref] = {k: ratio(e[k], r[k]) for k in ("tcp1_gbps", "tcp4_gbps", "ping_avg_ms")}
    return out


def spread(e, k):
    """Half the min-max range of the rounds, in percent of the median."""
    lo, hi, med = e.get(k + "_min"), e.get(k + "_max"), e.get(k)
    if lo is None or hi is None or not med or len(e["rounds"]) < 2:
        return ""
    return f" ±{(hi - lo) / 2 / med * 100:.0f}%"


def print_table(summary, rat):
    w = max([len(v) for v in summary] + [8])
    print(f"{'variant':<{w}}  {'TCP 1 stream':>15}  {'TCP 4 streams':>15}  "
          f"{'ping avg':>9}  {'ping p50':>9}  {'MTU':>5}  rounds")
    print(f"{'':<{w}}  {'Gbit/s':>15}  {'Gbit/s':>15}  {'ms':>9}  {'ms':>9}")
    for v, e in summary.items():
        if e["status"] != "measured":
            reason = "; ".join(e["notes"]) or e["status"]
            if e["status"] == "failed":
                reason = "failed: " + reason
            print(f"{v:<{w}}  {reason}")
            continue
        t1 = fmt(e["tcp1_gbps"]) + spread(e, "tcp1_gbps")
        t4 = fmt(e["tcp4_gbps"]) + spread(e, "tcp4_gbps")
        print(f"{v:<{w}}  {t1:>15}  {t4:>15}  {fmt(e['ping_avg_ms'], 3):>9}  "
              f"{fmt(e['ping_p50_ms'], 3):>9}  {fmt(e['mtu'], 0) if e['mtu'] else '-':>5}  "
              f"{len(e['rounds'])}")
        for note in e["notes"]:
            print(f"{'':<{w}}  note: {note}")
    print()
    print("ratios (TCP: variant / reference, higher is better; "
          "RTT: variant / reference, lower is better)")
    print(f"{'variant':<{w}}  {'reference':<12}  {'TCP 1':>7}  {'TCP 4':>7}  {'RTT':>7}")
    if not any(rat.values()):
        print("(no reference variant measured in this run)")
    for v, refs in rat.items():
        for ref, r in refs.items():
            print(f"{v:<{w}}  {ref:<12}  {fmt(r['tcp1_gbps']):>6}x  {fmt(r['tcp4_gbps']):>6}x  "
                  f"{fmt(r['ping_avg_ms']):>6}x")


def cmd_round(raw, variant, rnd):
    r = round_values(raw, variant, rnd)
    loss = "-" if r["ping_loss"] is None else f"{r['ping_loss'] * 100:.0f}%"
    print(f"TCP1 {fmt(r['tcp1_gbps'])} Gbit/s, TCP4 {fmt(r['tcp4_gbps'])} Gbit/s, "
          f"ping avg {fmt(r['ping_avg_ms'], 3)} ms p50 {fmt(r['ping_p50_ms'], 3)} ms "
          f"loss {loss}")
    return 0


def cmd_report(raw, json_path, meta, variants):
    summary = summarize(raw, variants)
    rat = ratios(summary)
    print_table(summary, rat)
    if json_path:
        doc = {"meta": meta, "variants": summary, "ratios": rat}
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    return 0 if any(e["status"] == "measured" for e in summary.values()) else 1


def main(argv):
    if len(argv) == 5 and argv[1] == "round":
        return cmd_round(argv[2], argv[3], argv[4])
    if len(argv) >= 5 and argv[1] == "report":
        # report RAW JSON_OR_DASH META_JSON VARIANT...
        meta = json.loads(argv[4])
        json_path = None if argv[3] == "-" else argv[3]
        return cmd_report(argv[2], json_path, meta, argv[5:])
    print("usage: report.py round RAW VARIANT ROUND | "
          "report RAW JSON|- META_JSON VARIANT...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
