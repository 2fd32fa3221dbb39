#!/usr/bin/env python3
"""The wall-time model of samsort's pipeline that follows from single-thread stage throughputs.

usage: bench/stage_model.py STAGES.txt [--records N] [--budget-mib M] [--measured FILE]
  STAGES.txt: the output of samsort_stage_bench (bench/stage_throughput.cpp) on one BAM.
  --records:  the input to model (default 20,000,000: the 20M set); costs scale by records.
  --budget-mib: the --max-memory (default 800).
  --measured: lines "THREADS LEVEL WALL_S" measured on that input (LEVEL 6, 1 or u), shown
              beside the model.
prints: markdown (the throughput table, the model at 1, 2, 8, 16, 32, 64 threads for -l 6,
-l 1 and -u, with the limiting stage, and the single-thread stages' share of wall time).

The model is how the engine runs today (src/sort/sort_job.cpp, src/merge/run_prefetch.cpp):
  read phase   inflate on T reader threads; parse+pack (copy into the arena, checksum, sort
               entry) on the reading thread; fresh-page zeroing of the arena once, on a
               prefault thread (T >= 2) or the reading thread (T = 1); each half-arena run is
               radix-sorted on T threads, gathered on the spill thread (one run at a time),
               zstd-1 compressed on T writer threads, beside the reading (split arena).
  merge phase  T = 1: one merging thread decodes run blocks, runs the loser tree, copies and
               checksums records; deflate on a writer thread.
               T >= 2 (BAM output without an index: src/sort/range_merge.hpp): the key space
               is cut into ranges; T workers each decode, merge, checksum and deflate their
               own ranges, plus the extra decoding before each range (its readers start at
               the last sample before it: half a sample interval and one block per run); the
               hand-off of compressed blocks to the writer's ring is one thread at a time.
A phase takes the longest of: each one-thread stage in it, and its total CPU divided by T
(the stages overlap perfectly, no other cost). The two phases run one after the other. The
last run stays in memory (not spilled). This ignores I/O waits, memory bandwidth limits and
the costs of threads beyond those measured: it is a lower bound for the engine as built.
"""
import argparse
import re
import sys


def load(path):
    stages, info = {}, {}
    for line in open(path):
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "stage" in fields:
            stages[fields["stage"]] = float(fields["cpu_s"])
        else:
            for key, value in fields.items():
                info[key] = float(value)
    return stages, info


def model(stages, info, records, budget_mib, threads, level):
    scale = records / info["records"]
    cost = {name: seconds * scale for name, seconds in stages.items()}
    record_bytes = info["record_bytes"] * scale
    # Bytes of records (and 32 bytes of entries and scratch each) the arena holds per run.
    arena = budget_mib * 2**20 * 0.93  # what the fixed reservations leave (measured ~0.93)
    per_record = record_bytes / records + 32
    in_memory = min(1.0, arena / (per_record * records))
    spilled = 1.0 - in_memory
    zero = cost["page_zeroing"] * min(1.0, arena / record_bytes)
    t = threads
    read_one = {  # stage -> seconds on one thread
        "parse+pack (reading thread)": cost["parse_pack"],
        "gather (spill thread)": cost["gather"] * spilled,
    }
    read_parallel = cost["inflate"] + cost["radix_sort"] * spilled + cost["spill_compress_zstd1"] * spilled
    if t >= 2:
        read_one["page zeroing (prefault thread)"] = zero
    else:
        read_one["parse+pack (reading thread)"] += zero
    read_total = sum(read_one.values()) + read_parallel
    read_wall = max(max(read_one.values()), read_total / t)
    read_limit = max(read_one, key=read_one.get) if max(read_one.values()) >= read_total / t else "CPU (all stages)"

    deflate = cost[f"deflate_level_{level}"]
    decode = cost["spill_decompress_zstd1"] * spilled
    merge_thread = cost["merge_32_runs"] + cost["checksum"]
    if t < 2:
        merge_one = {"merge+checksum+decode (merging thread)": merge_thread + decode}
        candidates = dict(merge_one)
        candidates["CPU (all stages)"] = merge_thread + decode + deflate
    else:
        # Ranges (src/sort/range_merge.hpp, config.hpp): each worker's output buffer is the
        # region less the readers over T, at most 64 MiB; a range holds 0.9 of it in record
        # bytes at -u, 2x when compressed. Runs are half-arena runs; each keeps at most 1/32
        # of the sample pool (1/64 of the budget) in ~256-byte samples.
        runs = max(1.0, spilled * record_bytes / (arena / 2 / per_record * (per_record - 32)))
        buffer = min(64 * 2**20, arena / t - runs * 140 * 2**10)
        range_bytes = buffer * (0.9 if level == "0" else 2.0)
        pool = min(max(budget_mib * 2**20 / 64, 2**20), 64 * 2**20)
        run_bytes = spilled * record_bytes / runs
        interval = max(64 * 2**10, run_bytes / (pool / 32 / 256))
        skip_share = runs * (interval / 2 + 64 * 2**10) / range_bytes
        handoff = cost["block_handoff_copy"] * info.get(f"deflate_level_{level}_ratio", 1.0)
        merge_one = {"block hand-off (one worker at a time)": handoff}
        work = merge_thread + decode * (1 + skip_share) + deflate
        candidates = dict(merge_one)
        candidates["CPU (all stages)"] = (work + handoff) / t
    merge_limit = max(candidates, key=candidates.get)
    merge_wall = candidates[merge_limit]
    wall = read_wall + merge_wall
    one_thread_stages = dict(read_one)
    one_thread_stages.update(merge_one)
    return {
        "one_thread": one_thread_stages,
        "wall": wall, "read": read_wall, "merge": merge_wall, "read_limit": read_limit,
        "merge_limit": merge_limit,
        "serial_share": (read_one["parse+pack (reading thread)"] + max(merge_one.values())) / wall,
        "spilled": spilled,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stages")
    parser.add_argument("--records", type=float, default=20e6)
    parser.add_argument("--budget-mib", type=float, default=800)
    parser.add_argument("--measured", default=None)
    args = parser.parse_args()
    stages, info = load(args.stages)
    measured = {}
    if args.measured:
        for line in open(args.measured):
            parts = line.split()
            if len(parts) == 3:
                measured[(int(parts[0]), "-u" if parts[1] == "u" else "-l " + parts[1])] = float(parts[2])
    out = sys.stdout.write
    out(f"Input of the measurement: {int(info['records']):,} records, "
        f"{info['record_bytes'] / 1e6:,.0f} MB of records, {info['input_bytes'] / 1e6:,.0f} MB of BAM.\n\n")
    out("| stage (one thread) | CPU s | records/s | MB/s of records |\n|---|---:|---:|---:|\n")
    for name, seconds in stages.items():
        out(f"| {name} | {seconds:.2f} | {info['records'] / seconds:,.0f} | "
            f"{info['record_bytes'] / 1e6 / seconds:,.0f} |\n")
    out(f"\nModel: {args.records:,.0f} records at --max-memory {args.budget_mib:.0f}M "
        "(costs scaled by records from the measurement).\n\n")
    out("| level | threads | model wall s | read phase s (limit) | merge phase s (limit) | "
        "reading thread's + one-thread merge stage's share of wall | measured wall s |\n|---|---:|---:|---|---|---:|---:|\n")
    for level, label in (("6", "-l 6"), ("1", "-l 1"), ("0", "-u")):
        for t in (1, 2, 8, 16, 32, 64):
            m = model(stages, info, args.records, args.budget_mib, t, level)
            seen = measured.get((t, label))
            out(f"| {label} | {t} | {m['wall']:.1f} | {m['read']:.1f} ({m['read_limit']}) | "
                f"{m['merge']:.1f} ({m['merge_limit']}) | {100 * m['serial_share']:.0f}% | "
                f"{'' if seen is None else f'{seen:.1f}'} |\n")
    m = model(stages, info, args.records, args.budget_mib, 8, "0")
    out(f"\nOne-thread stages at -@8 -u (model wall {m['wall']:.1f} s; the issue's target: none above "
        "10% of wall):\n\n| stage | s | share of wall |\n|---|---:|---:|\n")
    for name, seconds in m["one_thread"].items():
        out(f"| {name} | {seconds:.1f} | {100 * seconds / m['wall']:.0f}% |\n")


if __name__ == "__main__":
    main()
