#!/usr/bin/env bash
# Writes STAGES.md: the single-thread throughput of every stage of the pipeline
# (samsort_stage_bench, bench/stage_throughput.cpp, built here with -DSAMSORT_BENCH=ON) on one
# BAM, and the wall-time model at 1-64 threads that follows from them (bench/stage_model.py),
# with measured walls beside it when given.
#
# usage: bench/stages.sh [-m MEASURED] [-r RECORDS] in.bam
#   MEASURED: lines "THREADS LEVEL WALL_S" (LEVEL 6, 1 or u) measured on the modelled input
#   RECORDS:  the modelled input's record count (default 20000000, the 20M set)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
measured=
records=20000000
while getopts "m:r:" opt; do
  case $opt in
    m) measured=$OPTARG ;; r) records=$OPTARG ;; *) sed -n '2,10p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
cmake -S "$here/.." -B "$build" -DSAMSORT_BENCH=ON >/dev/null
cmake --build "$build" --target samsort_stage_bench -j"$(nproc)" >/dev/null
raw=$here/work/stages.txt
mkdir -p "$here/work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$build/samsort_stage_bench" "$1" >"$raw"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# Stage throughputs and scaling model (issue 10)"
  echo
  echo "Made by \`bench/stages.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), git" \
    "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, input $(basename "$1"),"
  echo "one run; load average $load_before before, $load_after after."
  echo
  python3 "$here/stage_model.py" "$raw" --records "$records" ${measured:+--measured "$measured"}
  echo
  echo "Raw output of samsort_stage_bench:"
  echo
  echo '```'
  cat "$raw"
  echo '```'
} >"$here/STAGES.md"
echo "wrote $here/STAGES.md" >&2
