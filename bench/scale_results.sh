#!/usr/bin/env bash
# Issue 10's measurements in one run (the out-of-core engine at scale), written to SCALE.md:
#   1. the 4M set at -u and -l 1, samsort against samtools (same total memory, -@2), output to
#      a pipe (| cat > /dev/null), RUNS runs each, tools alternated;
#   2. the 20M set at -l 6: samsort, samtools and the copy floor (samtools view), wall, peak
#      RSS and peak temporary disk measured from outside (bench/peak_disk.py), once each;
#   3. the 20M set at -l 1: samsort -@1 and -@2 (the speedup), once each;
#   4. the 4M set fed through a pipe in 64 KiB writes (bench/pipe_stall.py) at 800 MiB: the
#      longest blocked write, samsort and samtools;
# plus samsort's own --stats figures for every samsort run (phases, waits, runs, temp bytes).
#
# usage: bench/scale_results.sh [-r RUNS] [-o OUT.md] [-w WORKDIR] SET4M.bam SET20M.bam
#   e.g. bench/scale_results.sh bench/data/art-4M.aligner.bam bench/data/rep-20M.aligner.bam
# Needs: build/samsort (or $SAMSORT), samtools, python3, /usr/bin/time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
samsort=${SAMSORT:-$here/../build/samsort}
runs=2
out=$here/SCALE.md
work=$here/work/scale
while getopts "r:o:w:" opt; do
  case $opt in
    r) runs=$OPTARG ;; o) out=$OPTARG ;; w) work=$OPTARG ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
small=$1
large=$2
mkdir -p "$work"
raw=$work/raw.txt
: >"$raw"
memory=800M
per_thread=400M  # samtools' -m is per thread: 2 x 400M = the same 800 MiB total at -@2

# shellcheck source=bench/scale_lib.sh
source "$here/scale_lib.sh"

{
  echo "# samsort at scale (issue 10)"
  echo
  echo "Made by \`bench/scale_results.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), git" \
    "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'),"
  echo "$(nproc) CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "samsort: $("$samsort" --version 2>&1 | head -1); $(samtools --version | head -1)."
  echo "Same total memory: samsort \`--max-memory $memory\`, samtools \`-m $per_thread\` per thread at -@2."
  echo
  echo "## 4M set, -@2, output to a pipe ($runs runs each, alternated)"
  echo
  echo "| level | samsort wall s | samtools wall s | samsort / samtools | samsort stats (last run) |"
  echo "|---|---|---|---|---|"
} >"$out"

for level in u 1; do
  level_flag=(-u)
  st_level=(-u)
  if [ "$level" != u ]; then level_flag=(-l "$level"); st_level=(-l "$level"); fi
  ours=()
  theirs=()
  for ((run = 1; run <= runs; ++run)); do
    order=(samsort samtools)
    ((run % 2 == 0)) && order=(samtools samsort)
    for tool in "${order[@]}"; do
      if [ "$tool" = samsort ]; then
        result=$(measure "4M -$level samsort" bash -c "\"\$0\" sort -@2 --max-memory $memory \
          ${level_flag[*]} -T '$work' --stats '$work/st.json' -o - '$small' | cat >/dev/null" \
          "$samsort")
        ours+=("$(cut -d' ' -f1 <<<"$result")")
      else
        result=$(measure "4M -$level samtools" bash -c "samtools sort -@2 -m $per_thread \
          ${st_level[*]} -T '$work/st' -o - '$small' | cat >/dev/null")
        theirs+=("$(cut -d' ' -f1 <<<"$result")")
      fi
    done
  done
  m_ours=$(median "${ours[@]}")
  m_theirs=$(median "${theirs[@]}")
  printf '| -%s | %s (median of %s) | %s (median of %s) | %.2f | %s |\n' "$level" \
    "${ours[*]}" "$m_ours" "${theirs[*]}" "$m_theirs" "$(bc -l <<<"$m_ours / $m_theirs")" \
    "$(stats_line "$work/st.json")" >>"$out"
done

{
  echo
  echo "## 20M set, -@2, $memory, -l 6, output to /dev/null (once each)"
  echo
  echo "Peak temporary disk: the largest rise of the file system's used bytes during the run"
  echo "(bench/peak_disk.py on $work; unlinked run files count)."
  echo
  echo "| tool | wall s | peak RSS MiB | peak temp GB | user s | sys s |"
  echo "|---|---|---|---|---|---|"
} >>"$out"
versus_samtools 20M "$large" "$work/st20.json"
{
  echo
  printf 'samsort / samtools %.2f (target <= 0.8); samsort / copy floor %.2f (target <= 1.15).\n' \
    "$(bc -l <<<"$samsort_wall / $samtools_wall")" "$(bc -l <<<"$samsort_wall / $copy_wall")"
  echo "samsort's stats: $(stats_line "$work/st20.json")."
  echo
  echo "## 20M set, $memory, -l 1: threads (once each)"
  echo
  echo "| threads | wall s | peak RSS MiB | user s | sys s | samsort stats |"
  echo "|---|---|---|---|---|---|"
} >>"$out"
walls=()
for threads in 1 2; do
  read -r w rss tmp user sys < <(measure "20M -l1 samsort -@$threads" "$samsort" sort -@"$threads" \
    --max-memory "$memory" -l 1 -T "$work" --stats "$work/st20l1.json" -o /dev/null "$large")
  walls+=("$w")
  echo "| $threads | $w | $rss | $user | $sys | $(stats_line "$work/st20l1.json") |" >>"$out"
done
{
  echo
  printf -- '-@2 / -@1 speedup: %.2f (target >= 1.8).\n' "$(bc -l <<<"${walls[0]} / ${walls[1]}")"
  echo
  echo "## 4M set through a pipe, 64 KiB writes, -@2, $memory (once each)"
  echo
  echo "| tool | longest blocked write s | p99 write s | wall s |"
  echo "|---|---|---|---|"
} >>"$out"
stall() {  # name, command...
  local name=$1
  shift
  local line
  line=$("$here/pipe_stall.py" "$small" -- "$@" | tail -1)
  echo "$name $line" >>"$raw"
  printf '| %s | %s | %s | %s |\n' "$name" "$(sed -n 's/.*longest_write_s=\([0-9.]*\).*/\1/p' <<<"$line")" \
    "$(sed -n 's/.*p99_write_s=\([0-9.]*\).*/\1/p' <<<"$line")" \
    "$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$line")" >>"$out"
}
stall samsort "$samsort" sort -@2 --max-memory "$memory" -T "$work" -o /dev/null -
stall "samtools sort" samtools sort -@2 -m "$per_thread" -T "$work/st" -o /dev/null -
{
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Raw lines:"
  echo
  echo '```'
  cat "$raw"
  echo '```'
} >>"$out"
echo "wrote $out" >&2
