#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  digest              SAM text on stdin -> "COUNT MD5 MULTISET": record count, MD5 of the text
                      in order (equal iff same records in the same order) and an order-free
                      multiset hash (sum of 64-bit BLAKE2b of each line: equal iff same records)
  digest --fast       the same without the multiset hash (prints "-" for it)
  stats FILE.json     samsort --stats JSON -> "key=value;..." (phases, runs, passes, peak RSS)
  report ...          results.tsv + meta.tsv -> RESULTS.md and (with gnuplot) results.png
"""
import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys

ORDERS = ["coordinate", "queryname", "queryname-lex", "template-coordinate"]
TOOLS = ["samsort", "samtools", "sambamba", "bamsort"]
FLOORS = ["floor:decompress", "floor:copy", "floor:codec"]


def cmd_digest(args):
    md5 = hashlib.md5()
    n = 0
    total = 0
    b2 = hashlib.blake2b
    from_bytes = int.from_bytes
    for line in sys.stdin.buffer:
        md5.update(line)
        n += 1
        if not args.fast:
            total += from_bytes(b2(line, digest_size=8).digest(), "little")
    multiset = "-" if args.fast else "%016x" % (total & 0xFFFFFFFFFFFFFFFF)
    print(n, md5.hexdigest(), multiset)


def cmd_stats(args):
    with open(args.file) as f:
        s = json.load(f)
    out = {f"phase_{k}": v for k, v in s.get("phase_seconds", {}).items()}
    for k in ("runs_spilled", "merge_passes", "bytes_spilled", "wall_seconds"):
        if k in s:
            out[k] = s[k]
    if "peak_rss_bytes" in s:
        out["peak_rss_mib"] = round(s["peak_rss_bytes"] / 1048576, 1)
    if "accounted_peak_bytes" in s:
        out["accounted_peak_mib"] = round(s["accounted_peak_bytes"] / 1048576, 1)
    print(";".join(f"{k}={v}" for k, v in out.items()))


# ---------------------------------------------------------------- report

def fnum(x, nd=2):
    if x is None:
        return "–"
    return f"{x:.{nd}f}"


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def as_float(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def parse_extra(s):
    out = {}
    if s and s != "-":
        for kv in s.split(";"):
            if "=" in kv:
                k, v = kv.split("=", 1)
                out[k] = as_float(v) if as_float(v) is not None else v
    return out


def load(args):
    rows = []
    with open(args.tsv) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            for k in ("wall_s", "user_s", "sys_s", "rss_mib"):
                r[k] = as_float(r[k])
            r["extra"] = parse_extra(r.get("extra"))
            rows.append(r)
    meta = {}
    datasets = {}
    notes = []
    with open(args.meta) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            if k == "dataset":
                d = v.split("\t")
                datasets[d[0]] = {"path": d[1], "records": d[2], "bytes": d[3], "multiset": d[4],
                                  "made": d[5] if len(d) > 5 else "?"}
            elif k == "note":
                if v not in notes:
                    notes.append(v)
            else:
                meta.setdefault(k, []).append(v)
    return rows, meta, datasets, notes


def level_name(level):
    return "-u (level 0)" if level == "u" else f"-l {level}"


def short_cmd(cmd, meta, datasets):
    w = meta.get("work", [""])[0]
    if w:
        cmd = cmd.replace(w, "$W")
    for d in datasets.values():
        dd = os.path.dirname(d["path"])
        if dd:
            cmd = cmd.replace(dd + "/", "$D/")
    return cmd


class Failures:
    def __init__(self):
        self.samsort = []
        self.peers = []


def version_at_least(v, want):
    try:
        return tuple(int(x) for x in v.split(".")[:2]) >= want
    except ValueError:
        return False


def identity_required(order, samtools_version):
    """Whether samsort's output must equal samtools' byte for byte (as samtools view text)."""
    if order == "coordinate":
        return True
    if order in ("queryname", "queryname-lex"):
        return version_at_least(samtools_version, (1, 20))  # PR samtools#2012: primaries first
    return False  # template-coordinate: samsort ignores hard clips (PR samtools#2287, fgbio)


WHY_DIFFERENT = {
    "queryname": "samtools < 1.20 keeps name ties in input order, samsort puts primaries first (PR samtools#2012)",
    "queryname-lex": "samtools < 1.20 keeps name ties in input order (PR samtools#2012)",
    "template-coordinate": "samsort ignores hard clips in the unclipped 5' ends, as samtools PR #2287 and fgbio do",
}


def check_cell(rs, ds, ref_md5, tool, order, samtools_version, fails, label):
    """Output check column for one tool/order/config (all runs)."""
    bad = []
    for r in rs:
        if r["exit"] != "0":
            bad.append(f"exit {r['exit']} (run {r['run']})")
        elif r["count"] != ds["records"]:
            bad.append(f"count {r['count']} != {ds['records']} (run {r['run']})")
        elif r["multiset"] not in ("-", "") and ds["multiset"] not in ("-", "") and r["multiset"] != ds["multiset"]:
            bad.append(f"records differ from the input (run {r['run']})")
        elif tool == "samsort" and r.get("verify") == "fail":
            bad.append(f"samsort verify failed (run {r['run']})")
    md5s = {r["md5"] for r in rs if r["exit"] == "0"}
    if bad:
        (fails.samsort if tool == "samsort" else fails.peers).append(f"{label}: {'; '.join(bad)}")
        return "**FAIL**: " + "; ".join(bad)
    parts = ["records = input" if all(r["multiset"] not in ("-", "") for r in rs) else "count ok"]
    verifies = {r.get("verify", "-") for r in rs}
    if verifies == {"ok"}:
        parts.append("verify ok")
    elif "fail" in verifies:
        parts.append("not in samsort's order")
    if tool == "samtools":
        parts.append("reference" if len(md5s) == 1 else "**not deterministic**")
    elif ref_md5 is None:
        parts.append("no samtools output to compare")
    elif md5s == {ref_md5}:
        parts.append("= samtools")
    elif tool == "samsort" and identity_required(order, samtools_version):
        fails.samsort.append(f"{label}: order differs from samtools {samtools_version}")
        return "**FAIL**: " + "; ".join(parts + [f"order differs from samtools {samtools_version}"])
    elif tool == "samsort":
        parts.append(f"≠ samtools {samtools_version} (expected: {WHY_DIFFERENT.get(order, '?')})")
    else:
        parts.append("≠ samtools (ties)")
    return "; ".join(parts)


def cmd_report(args):
    rows, meta, datasets, notes = load(args)
    fails = Failures()
    md = []
    w = md.append
    w("# samsort benchmark results\n")
    if args.note:
        w(f"> **{args.note}**\n")
    w(f"Made by `bench/run.sh` on {meta.get('date', ['?'])[0]} from its own measurements "
      f"(raw runs: `{os.path.basename(args.tsv)}` and `{os.path.basename(args.meta)}`; plot: `{os.path.basename(args.png)}`). "
      "Regenerate with the invocation below whenever performance changes.\n")
    w("## Machine and versions\n")
    for k in ("machine", "cpu", "memory", "kernel", "disk", "load_before", "load_after"):
        if k in meta:
            w(f"- {k.replace('_', ' ')}: {meta[k][0]}")
    for v in meta.get("version", []):
        w(f"- {v}")
    w("")
    w("## Invocation\n")
    w("```")
    for line in meta.get("invocation", ["?"]):
        w(line)
    w("```")
    invocations = meta.get("invocation", ["?"])
    run_counts = meta.get("runs", ["?"])
    runs_text = (run_counts[0] if len(run_counts) == 1 else
                 ", ".join(f"{n} ({i.split()[-1]})" for n, i in zip(run_counts, invocations)))
    w(f"Runs per measurement: {runs_text}, tools alternated (odd runs in one "
      "order, even runs reversed). Medians are reported; `min–max` is the spread of wall times. "
      "Each tool gets the same TOTAL memory: samsort `--max-memory B`, samtools `-m B/T` (its -m "
      "is per thread), sambamba `-m B` (its documented total), bamsort `blockmb=B` (its sort buffer; "
      "its total is larger). Ratios are tool wall / samsort wall (> 1: samsort is faster). "
      "Floors: decompression `samtools view -c -@ T`, copy `samtools view -@ T -O bam,level=L` "
      "(decompress + recompress), codec = libdeflate inflate + deflate CPU seconds "
      "(bench/codec_floor.cpp) divided by T. Output check: record count; `records = input`: the "
      "output's records (samtools view text, order-free hash) are the input's; `verify ok`: "
      "`samsort verify --order ORDER` accepts the order; `= samtools`: the same text in the same "
      "order as samtools' output (required of samsort in coordinate order, and in name orders "
      "with samtools >= 1.20).\n")
    if notes:
        w("Notes:\n")
        for n in notes:
            w(f"- {n}")
        w("")
    w("## Data sets\n")
    w("| set | records | BAM bytes | made by |")
    w("|---|---:|---:|---|")
    for name, d in datasets.items():
        w(f"| {name} | {int(d['records']):,} | {int(d['bytes']):,} | {d['made']} |")
    w("")

    configs = []
    for r in rows:
        if r["tool"] in TOOLS:
            c = (r["dataset"], r["threads"], r["budget_mib"], r["level"])
            if c not in configs:
                configs.append(c)
    ref = {}  # (dataset, order) -> samtools md5
    for r in rows:
        if r["tool"] == "samtools" and r["exit"] == "0" and (r["dataset"], r["order"]) not in ref:
            ref[(r["dataset"], r["order"])] = r["md5"]

    plot_sections = []
    target_rows = []
    samsort_walls = {}  # (dataset, budget, level, order, threads) -> wall
    for (dsn, threads, budget, level) in configs:
        ds = datasets[dsn]
        sel = [r for r in rows if r["dataset"] == dsn]
        w(f"## {dsn}: -@ {threads}, {budget} MiB total, {level_name(level)}\n")
        # floors
        dec = [r for r in sel if r["tool"] == "floor:decompress" and r["threads"] == threads]
        cop = [r for r in sel if r["tool"] == "floor:copy" and r["threads"] == threads and r["level"] == level]
        cod = [r for r in sel if r["tool"] == "floor:codec" and r["level"] == level]
        copy_wall = median([r["wall_s"] for r in cop])
        dec_wall = median([r["wall_s"] for r in dec])
        inf = median([r["extra"].get("inflate_cpu_s") for r in cod])
        dfl = median([r["extra"].get("deflate_cpu_s") for r in cod])
        codec_wall = (inf + dfl) / max(1, int(threads)) if inf is not None and dfl is not None else None
        w("| floor | wall s (median) | min–max | user s | sys s | peak RSS MiB | notes |")
        w("|---|---:|---:|---:|---:|---:|---|")
        for label, rs in (("decompress (samtools view -c)", dec), (f"copy (samtools view, {level_name(level)})", cop)):
            if rs:
                walls = [r["wall_s"] for r in rs]
                w(f"| {label} | {fnum(median(walls))} | {fnum(min(walls))}–{fnum(max(walls))} | "
                  f"{fnum(median([r['user_s'] for r in rs]))} | {fnum(median([r['sys_s'] for r in rs]))} | "
                  f"{fnum(median([r['rss_mib'] for r in rs]), 0)} | |")
        if cod:
            e = cod[0]["extra"]
            payload_mb = as_float(e.get("payload")) / 1e6 if e.get("payload") is not None else None
            w(f"| codec (libdeflate, CPU / {threads}) | {fnum(codec_wall)} | | "
              f"{fnum((inf or 0) + (dfl or 0))} | | | inflate {fnum(inf)} s CPU "
              f"({fnum(payload_mb / inf if inf else None, 0)} MB/s/core), deflate at libdeflate level "
              f"{int(e.get('libdeflate_level', 0))} {fnum(dfl)} s CPU "
              f"({fnum(payload_mb / dfl if dfl else None, 0)} MB/s/core); {fnum(payload_mb, 0)} MB uncompressed |")
        w("")
        # tools per order
        w("| order | tool | wall s (median) | min–max | user s | sys s | peak RSS MiB | RSS / budget "
          "| wall / samsort | wall / copy floor | output check |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        plot_rows = []
        phase_rows = []
        for order in ORDERS:
            trs = [r for r in sel if r["order"] == order and r["threads"] == threads
                   and r["budget_mib"] == budget and r["level"] == level and r["tool"] in TOOLS]
            if not trs:
                continue
            walls = {}
            rss = {}
            ss = median([r["wall_s"] for r in trs if r["tool"] == "samsort" and r["exit"] == "0"])
            samsort_walls[(dsn, budget, level, order, threads)] = ss
            for tool in TOOLS:
                rs = [r for r in trs if r["tool"] == tool]
                if not rs:
                    continue
                ok = [r for r in rs if r["exit"] == "0"]
                wl = [r["wall_s"] for r in ok]
                mw = median(wl)
                mr = median([r["rss_mib"] for r in ok])
                walls[tool], rss[tool] = mw, mr
                chk = check_cell(rs, ds, ref.get((dsn, order)), tool, order,
                                 meta.get("samtools_version", ["?"])[0], fails,
                                 f"{dsn} {order} {tool} -@{threads} {budget}MiB {level_name(level)}")
                ratio = mw / ss if (mw is not None and ss) else None
                w(f"| {order} | {tool} | {fnum(mw)} | {fnum(min(wl)) if wl else '–'}–{fnum(max(wl)) if wl else '–'} | "
                  f"{fnum(median([r['user_s'] for r in ok]))} | {fnum(median([r['sys_s'] for r in ok]))} | "
                  f"{fnum(mr, 0)} | {fnum(mr / float(budget) if mr else None)} | {fnum(ratio)} | "
                  f"{fnum(mw / copy_wall if (mw and copy_wall) else None)} | {chk} |")
                if tool == "samsort" and ok:
                    ph = {k: median([r["extra"].get(k) for r in ok if isinstance(r["extra"].get(k), float)])
                          for k in ("phase_read", "phase_sort", "phase_spill", "phase_merge_write",
                                    "runs_spilled", "merge_passes", "peak_rss_mib", "bytes_spilled")}
                    phase_rows.append((order, mw, ph))
            plot_rows.append((order, walls, rss))
            if ss is not None:
                add_targets(target_rows, dsn, threads, budget, level, order, ss, walls, rss, copy_wall,
                            samsort_walls.get((dsn, budget, level, "coordinate", threads)))
        w("")
        if phase_rows:
            w("samsort phases (`--stats`, medians; seconds of wall time):\n")
            w("| order | wall | read | sort | spill | merge+write | runs spilled | merge passes | spilled MB | peak RSS MiB (stats) |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for order, mw, ph in phase_rows:
                bs = ph.get("bytes_spilled")
                w(f"| {order} | {fnum(mw)} | {fnum(ph['phase_read'])} | {fnum(ph['phase_sort'])} | "
                  f"{fnum(ph['phase_spill'])} | {fnum(ph['phase_merge_write'])} | {fnum(ph['runs_spilled'], 0)} | "
                  f"{fnum(ph['merge_passes'], 0)} | {fnum(bs / 1e6 if bs is not None else None, 0)} | "
                  f"{fnum(ph['peak_rss_mib'], 1)} |")
            w("")
        # commands
        w("<details><summary>commands (run 1)</summary>\n")
        w("```")
        w(f"W={meta.get('work', ['?'])[0]}  D={os.path.dirname(ds['path'])}")
        seen = set()
        for r in sel:
            if r["run"] != "1":
                continue
            if r["tool"] in TOOLS and not (r["threads"] == threads and r["budget_mib"] == budget and r["level"] == level):
                continue
            if r["tool"] == "floor:decompress" and r["threads"] != threads:
                continue
            if r["tool"] == "floor:copy" and not (r["threads"] == threads and r["level"] == level):
                continue
            if r["tool"] == "floor:codec" and r["level"] != level:
                continue
            c = short_cmd(r["cmd"], meta, datasets)
            if c not in seen:
                seen.add(c)
                w(c)
        w("```\n</details>\n")
        plot_sections.append((f"{dsn} -@{threads} {budget} MiB {level_name(level)}", plot_rows,
                              float(budget), copy_wall, codec_wall))

    # -@2 vs -@1 speedups
    for (dsn, budget, level, order, threads), wall in samsort_walls.items():
        if threads == "1":
            continue
        one = samsort_walls.get((dsn, budget, level, order, "1"))
        if one and wall:
            target_rows.append((dsn, f"-@{threads} {budget} MiB {level_name(level)} {order}",
                                f"samsort -@1 / -@{threads} wall", one / wall, ">= 1.8", one / wall >= 1.8))

    if target_rows:
        w("## Targets (issue 6), where this run has the data\n")
        w("| set | config | measure | value | target | met |")
        w("|---|---|---|---:|---|---|")
        for dsn, cfg, what, val, tgt, met in target_rows:
            w(f"| {dsn} | {cfg} | {what} | {fnum(val)} | {tgt} | {'yes' if met else '**no**'} |")
        w("")
    if fails.samsort or fails.peers:
        w("## Problems\n")
        for f in fails.samsort:
            w(f"- samsort: {f}")
        for f in fails.peers:
            w(f"- peer: {f}")
        w("")
    w("<details><summary>all runs</summary>\n")
    w("| set | -@ | MiB | level | order | tool | run | wall s | user s | sys s | RSS MiB | exit |")
    w("|---|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        w(f"| {r['dataset']} | {r['threads']} | {r['budget_mib']} | {r['level']} | {r['order']} | {r['tool']} | "
          f"{r['run']} | {fnum(r['wall_s'])} | {fnum(r['user_s'])} | {fnum(r['sys_s'])} | {fnum(r['rss_mib'], 0)} | {r['exit']} |")
    w("\n</details>")
    with open(args.md, "w") as f:
        f.write("\n".join(md) + "\n")
    plot(args, plot_sections)
    if fails.samsort:
        print("samsort output problems:\n  " + "\n  ".join(fails.samsort), file=sys.stderr)
        sys.exit(1)


def add_targets(out, dsn, threads, budget, level, order, ss, walls, rss, copy_wall, coord_wall):
    cfg = f"-@{threads} {budget} MiB {level_name(level)} {order}"
    st = walls.get("samtools")
    if order == "coordinate" and level not in ("1", "u"):
        if copy_wall:
            out.append((dsn, cfg, "samsort / copy floor", ss / copy_wall, "<= 1.10", ss / copy_wall <= 1.10))
        if st:
            out.append((dsn, cfg, "samsort / samtools", ss / st, "<= 0.8", ss / st <= 0.8))
    if order != "coordinate" and st:
        out.append((dsn, cfg, "samtools / samsort", st / ss, ">= 1.5", st / ss >= 1.5))
    if order != "coordinate" and coord_wall:
        out.append((dsn, cfg, "samsort / samsort coordinate", ss / coord_wall, "<= 1.3", ss / coord_wall <= 1.3))
    if level == "1" and st:
        out.append((dsn, cfg, "samsort / samtools", ss / st, "<= 0.6", ss / st <= 0.6))
    if level == "u" and st:
        out.append((dsn, cfg, "samsort / samtools", ss / st, "<= 0.5", ss / st <= 0.5))
    peers = [t for t in ("samtools", "sambamba", "bamsort") if walls.get(t)]
    if peers:
        best = min(walls[t] for t in peers)
        out.append((dsn, cfg, "best peer / samsort", best / ss, "> 1 (ahead of every peer)", best / ss > 1))
    if rss.get("samsort") is not None:
        out.append((dsn, cfg, "samsort peak RSS MiB", rss["samsort"], f"<= {int(budget) + 16}",
                    rss["samsort"] <= float(budget) + 16))


PLOT_LABEL = {"queryname-lex": "queryname-lex", "template-coordinate": "template-coord"}
COLORS = {"samsort": "#1f77b4", "samtools": "#ff7f0e", "sambamba": "#2ca02c", "bamsort": "#d62728"}


def plot(args, sections):
    if not sections:
        return
    gp = subprocess.run(["which", "gnuplot"], capture_output=True)
    if gp.returncode != 0:
        print("gnuplot not found: no plot (apt-get install gnuplot-nox)", file=sys.stderr)
        return
    pdir = args.plotdir or os.path.join(os.path.dirname(os.path.abspath(args.png)), "work", "plot")
    os.makedirs(pdir, exist_ok=True)
    script = [
        f"set terminal pngcairo size 1400,{420 * len(sections)} font ',10'",
        f"set output '{args.png}'",
        f"set multiplot layout {len(sections)},2",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1",
        "set datafile missing '-'",
        "set datafile separator '\\t'",
        "set key below horizontal font ',9' noenhanced autotitle columnheader",
        "set grid ytics",
        "set boxwidth 0.9",
    ]
    for i, (title, prow, budget, copy_wall, codec_wall) in enumerate(sections):
        tools = [t for t in TOOLS if any(t in walls for _, walls, _ in prow)]
        for kind, idx in (("wall", 1), ("rss", 2)):
            path = os.path.join(pdir, f"s{i}_{kind}.tsv")
            with open(path, "w") as f:
                f.write("order\t" + "\t".join(tools) + "\n")
                for p in prow:
                    vals = p[idx]
                    f.write(PLOT_LABEL.get(p[0], p[0]) + "\t" + "\t".join(
                        "-" if vals.get(t) is None else f"{vals[t]:.3f}" for t in tools) + "\n")
        n = len(prow)
        maxwall = max([v for _, walls, _ in prow for v in walls.values() if v] + [copy_wall or 0, 1])
        maxrss = max([v for _, _, rss in prow for v in rss.values() if v] + [budget])
        bars = ", ".join(
            f"'{os.path.join(pdir, f's{i}_KIND.tsv')}' using {j + 2}:xtic(1) title '{t}' lc rgb '{COLORS[t]}'"
            for j, t in enumerate(tools))
        lines_wall = []
        if copy_wall:
            lines_wall.append(f"{copy_wall} with lines dt 2 lw 2 lc rgb 'black' title 'copy floor {copy_wall:.1f} s'")
        if codec_wall:
            lines_wall.append(f"{codec_wall} with lines dt 3 lw 2 lc rgb '#777777' title 'codec floor {codec_wall:.1f} s'")
        script += [
            f"set xrange [-0.5:{n - 0.5}]",
            f"set title '{title}: wall time (s)' noenhanced",
            f"set yrange [0:{maxwall * 1.1}]",
            "plot " + ", ".join([bars.replace("KIND", "wall")] + lines_wall),
            f"set title '{title}: peak RSS (MiB)' noenhanced",
            f"set yrange [0:{maxrss * 1.1}]",
            "plot " + ", ".join([bars.replace("KIND", "rss"),
                                 f"{budget} with lines dt 2 lw 2 lc rgb 'black' title 'budget {budget:.0f} MiB'"]),
        ]
    script.append("unset multiplot")
    spath = os.path.join(pdir, "plot.gp")
    with open(spath, "w") as f:
        f.write("\n".join(script) + "\n")
    r = subprocess.run(["gnuplot", spath], capture_output=True, text=True)
    if r.returncode != 0:
        print("gnuplot failed:\n" + r.stderr, file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("digest")
    d.add_argument("--fast", action="store_true")
    s = sub.add_parser("stats")
    s.add_argument("file")
    r = sub.add_parser("report")
    r.add_argument("--tsv", required=True)
    r.add_argument("--meta", required=True)
    r.add_argument("--md", required=True)
    r.add_argument("--png", required=True)
    r.add_argument("--note", default="")
    r.add_argument("--plotdir", default="", help="for gnuplot's data and script [next to the PNG: work/plot]")
    a = p.parse_args()
    {"digest": cmd_digest, "stats": cmd_stats, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
