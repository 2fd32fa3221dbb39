#!/usr/bin/env bash
# The final merge on every thread (sort/range_merge.hpp) against the one-thread merge of the
# same build (--debug-one-thread-merge), written to PARALLEL_MERGE.md: for each level given,
# RUNS runs of each, alternated, at -@THREADS and 800 MiB, output to a pipe (| cat >
# /dev/null): wall time, the merge/write phase, CPU, the ranges and threads that merged, and
# the run bytes read back (the ranges' readers start before their ranges).
#
# usage: bench/parallel_merge.sh [-r RUNS] [-t THREADS] [-l "u 1 6"] [-o OUT.md] INPUT.bam
#   e.g. bench/parallel_merge.sh -t 2 -l "u 1" bench/data/art-4M.aligner.bam
# Needs: build/samsort (or $SAMSORT), python3, /usr/bin/time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
samsort=${SAMSORT:-$here/../build/samsort}
runs=3
threads=2
levels="u 1"
out=$here/PARALLEL_MERGE.md
while getopts "r:t:l:o:" opt; do
  case $opt in
    r) runs=$OPTARG ;; t) threads=$OPTARG ;; l) levels=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n '2,10p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
input=$1
work=$here/work/parallel_merge
mkdir -p "$work"
raw=$work/raw.txt
: >"$raw"

json_number() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" "$1" | head -1; }
json_phase() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" <(tr ',' '\n' <"$1") | head -1; }

# one LEVEL MODE RUN: one sort; appends a raw line.
one() {
  local level=$1 mode=$2 run=$3
  local flag=() level_args=(-l "$level")
  [ "$mode" = one ] && flag=(--debug-one-thread-merge)
  [ "$level" = u ] && level_args=(-u)
  local stats=$work/stats.json time_file=$work/time.txt
  /usr/bin/time -f "%e %U %S %M" -o "$time_file" bash -c \
    '"$@" | cat >/dev/null' _ "$samsort" sort -@ "$threads" --max-memory 800M "${level_args[@]}" \
    "${flag[@]}" -T "$work" --stats "$stats" -o - "$input"
  read -r wall user sys rss <"$time_file"
  echo "level=$level mode=$mode run=$run wall_s=$wall user_s=$user sys_s=$sys rss_kib=$rss" \
    "merge_write_s=$(json_phase "$stats" merge_write) ranges=$(json_number "$stats" merge_ranges)" \
    "merge_threads=$(json_number "$stats" merge_threads) runs=$(json_number "$stats" runs_spilled)" \
    "spilled=$(json_number "$stats" bytes_spilled) read=$(json_number "$stats" temp_bytes_read)" \
    >>"$raw"
}

for level in $levels; do
  for run in $(seq "$runs"); do
    one "$level" ranges "$run"
    one "$level" one "$run"
  done
done

{
  echo "# Parallel final merge: key ranges on every thread vs one thread (issue 10)"
  echo
  echo "Made by \`bench/parallel_merge.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), git" \
    "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs," \
    "input $(basename "$input"), -@$threads, --max-memory 800M, output to a pipe;" \
    "$runs runs of each, alternated; medians."
  echo
  python3 - "$raw" <<'EOF'
import statistics, sys
rows = [dict(f.split("=", 1) for f in line.split()) for line in open(sys.argv[1])]
print("| level | merge | wall s | merge/write phase s | user+sys s | ranges x threads | runs | run bytes read / spilled |")
print("|---|---|---:|---:|---:|---|---:|---:|")
for level in dict.fromkeys(r["level"] for r in rows):
    for mode, label in (("ranges", "key ranges"), ("one", "one thread")):
        sel = [r for r in rows if r["level"] == level and r["mode"] == mode]
        med = lambda key: statistics.median(float(r[key]) for r in sel)
        cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in sel)
        ratio = statistics.median(float(r["read"]) / float(r["spilled"]) if float(r["spilled"]) else 0 for r in sel)
        name = "-u" if level == "u" else "-l " + level
        print(f"| {name} | {label} | {med('wall_s'):.2f} | {med('merge_write_s'):.2f} | {cpu:.1f} | "
              f"{sel[0]['ranges']} x {sel[0]['merge_threads']} | {sel[0]['runs']} | {ratio:.3f} |")
print()
print("Every run (wall s, merge/write s):")
print()
for r in rows:
    print(f"- {r['level']} {r['mode']} #{r['run']}: {float(r['wall_s']):.2f}, {float(r['merge_write_s']):.2f}")
EOF
} >"$out"
echo "wrote $out" >&2
