#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of make bench (scripts/bench).

  bench.py extract --lane L --started T --host-before J --host-after J
                   --commit C LOG PREFIX
      Take secbuf-bench's JSON out of a vm-run log (lines after the
      "@bench-json@ " marker), add the host's view, write PREFIX.json, the
      table as printed to PREFIX.txt and as Markdown to PREFIX.md.

  bench.py plot JSON PNG
      Latency against size per exporter (alloc+close, vgem import), gnuplot.

  bench.py title JSON
      One line: lane, kernel, date, host load.

  bench.py markdown JSON
      The table as Markdown on stdout.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

MARK = "@bench-json@ "
TABLE_START = "secbuf-bench results:"
# A kernel message on the console: "[   12.345678] ...".
KMSG_RE = re.compile(r"^\[\s*\d+\.\d{6}\]")

TITLES = {
    "alloc_close": "alloc+close",
    "alloc_close_b2b": "alloc+close, back to back",
    "first_touch": "first touch",
    "write_bw": "write bandwidth",
    "sync": "SYNC START+END",
    "import": "vgem import (attach+map)",
    "import_release": "vgem release (unmap+detach)",
    "attach_map": "attach+map in the kernel (test importer)",
    "revoke": "revoke",
    "revoke_grant": "revoke of a grant (all N map it)",
    "grant_create": "grant create",
    "grant_revoke": "grant revoke",
}


def size_str(size):
    if not size:
        return "-"
    if size % (1 << 20) == 0:
        return f"{size >> 20}M"
    if size % (1 << 10) == 0:
        return f"{size >> 10}K"
    return str(size)


def num(v):
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def extract(args):
    with open(args.log, "rb") as f:
        lines = f.read().decode("utf-8", errors="replace").splitlines()
    json_lines, table, in_table = [], [], False
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith(MARK):
            json_lines.append(line[len(MARK):])
            in_table = False
            continue
        if line.startswith(TABLE_START):
            in_table = True
        if in_table and not KMSG_RE.match(line):
            table.append(line)
    if not json_lines:
        print(f"bench.py: no '{MARK.strip()}' lines in {args.log}", file=sys.stderr)
        return 1
    try:
        doc = json.loads("\n".join(json_lines))
    except json.JSONDecodeError as e:
        # A kernel message in the middle of a line breaks it: say where.
        print(f"bench.py: the JSON in {args.log} does not parse: {e}", file=sys.stderr)
        return 1
    doc["lane"] = args.lane
    doc["date"] = args.started
    doc["commit"] = args.commit
    doc["host"] = {
        "nproc": os.cpu_count(),
        "before": json.loads(args.host_before),
        "after": json.loads(args.host_after),
    }
    with open(args.prefix + ".json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(args.prefix + ".txt", "w") as f:
        f.write("\n".join(table).rstrip("\n") + "\n")
    with open(args.prefix + ".md", "w") as f:
        f.write(markdown(doc))
    return 0


def title(doc):
    h = doc.get("host", {})
    b, a = h.get("before", {}), h.get("after", {})
    return (f"{doc.get('lane', '?')}, kernel {doc.get('kernel', '?')} "
            f"({doc.get('machine', '?')}), {doc.get('date', '?')}, "
            f"{doc.get('rounds', '?')} rounds; host: {h.get('nproc', '?')} CPUs, "
            f"load {b.get('loadavg', '?')} -> {a.get('loadavg', '?')}, "
            f"other QEMU guests {b.get('qemu_guests', '?')}/{a.get('qemu_guests', '?')} "
            f"(before/after)")


def ratio_text(s):
    r = s.get("ratio")
    if r is None:
        return ""
    return f"{r:.2f}x"


def markdown(doc):
    out = []
    out.append("| metric | size | procs | exporter | median | p25..p75 | ratio | target |")
    out.append("|---|---|---|---|---:|---|---:|---|")
    groups = []
    for s in doc["series"]:
        key = (s["metric"], s["size"], s["procs"])
        if key not in groups:
            groups.append(key)
    for key in groups:
        rows = [s for s in doc["series"]
                if (s["metric"], s["size"], s["procs"]) == key and s["n"]]
        rows.sort(key=lambda s: s["exporter"] != "secbuf")
        first = True
        for s in rows:
            tgt = ""
            if "target" in s:
                met = s.get("target_met")
                tgt = f"{s['target']}: " + ("met" if met else
                                            "**missed**" if met is False else "?")
            extra = [f"{k}={s[k]}" for k in ("median_minor_faults",
                                              "rounds_prezeroed_available") if k in s]
            if extra:
                tgt = "; ".join(([tgt] if tgt else []) + extra)
            out.append("| {} | {} | {} | {} | {} {} | {}..{} | {} | {} |".format(
                TITLES.get(s["metric"], s["metric"]) if first else "",
                size_str(s["size"]) if first else "",
                (s["procs"] or "-") if first else "",
                s["exporter"], num(s.get("median")), s["unit"],
                num(s.get("p25")), num(s.get("p75")), ratio_text(s), tgt))
            first = False
    absent = [e for e in doc.get("exporters", []) if not e["present"]]
    if absent:
        out.append("")
        out.append("Absent: " + "; ".join(f"{e['name']} ({e['detail']})" for e in absent) + ".")
    return "\n".join(out) + "\n"


def plot(args):
    with open(args.json) as f:
        doc = json.load(f)
    panels = [("alloc_close", "alloc+close latency"),
              ("import", "vgem import (attach+map) latency")]
    tmp = tempfile.mkdtemp(prefix="secbuf-bench-plot.")
    script = [
        "set terminal pngcairo size 1400,560 font ',10' noenhanced",
        f"set output '{args.png}'",
        "set multiplot layout 1,2 title '" +
        title(doc).replace("'", "") + "' font ',9'",
        "set logscale xy",
        "set xlabel 'buffer size (bytes)'",
        "set ylabel 'microseconds (median, bars: p25..p75)'",
        "set grid",
        "set format y '%g'",
        "set key top left",
        "set xtics ('4K' 4096, '1M' 1048576, '8M' 8388608, '64M' 67108864)",
        "set xrange [2048:134217728]",
    ]
    for metric, label in panels:
        series = [s for s in doc["series"] if s["metric"] == metric and s["n"]]
        exporters = []
        for s in series:
            if s["exporter"] not in exporters:
                exporters.append(s["exporter"])
        plots = []
        for i, e in enumerate(exporters):
            path = os.path.join(tmp, f"{metric}-{e}.dat")
            with open(path, "w") as f:
                for s in sorted((s for s in series if s["exporter"] == e),
                                key=lambda s: s["size"]):
                    f.write(f"{s['size']} {s['median']} {s['p25']} {s['p75']}\n")
            plots.append(f"'{path}' using 1:2:3:4 with yerrorlines lw 2 pt {i + 5} title '{e}'")
        script.append(f"set title '{label}'")
        if plots:
            script.append("plot " + ", ".join(plots))
        else:
            script.append("set label 1 'not measured' at graph 0.4, graph 0.5")
            script.append("plot 1/0 notitle")
            script.append("unset label 1")
    script.append("unset multiplot")
    path = os.path.join(tmp, "plot.gp")
    with open(path, "w") as f:
        f.write("\n".join(script) + "\n")
    rc = subprocess.call(["gnuplot", path])
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
    return rc


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    e = sub.add_parser("extract")
    e.add_argument("--lane", required=True)
    e.add_argument("--started", required=True)
    e.add_argument("--host-before", required=True)
    e.add_argument("--host-after", required=True)
    e.add_argument("--commit", required=True)
    e.add_argument("log")
    e.add_argument("prefix")
    p = sub.add_parser("plot")
    p.add_argument("json")
    p.add_argument("png")
    t = sub.add_parser("title")
    t.add_argument("json")
    m = sub.add_parser("markdown")
    m.add_argument("json")
    args = ap.parse_args(argv)
    if args.what == "extract":
        return extract(args)
    if args.what == "plot":
        return plot(args)
    with open(args.json) as f:
        doc = json.load(f)
    if args.what == "title":
        print(title(doc))
    else:
        sys.stdout.write(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
