#!/usr/bin/env bash
# Issue 10's 60M measurements (the size of the fgumi #238 benchmark), written to SCALE_60M.md:
#   1. -@2, 800 MiB, -l 6, output to /dev/null: samsort, samtools sort (-m 400M per thread, the
#      same total) and the copy floor (samtools view -O bam,level=6): wall, peak RSS and peak
#      temporary disk measured from outside (bench/peak_disk.py), once each;
#   2. samsort's peak RSS at the other thread counts (-@1, -@4, -@8 by default), once each.
# plus samsort's own --stats figures for every samsort run.
#
# usage: bench/scale_60m.sh [-o OUT.md] [-w WORKDIR] [-t "1 4 8"] SET60M.bam
#   make the set with: bench/make_data.sh -m replicate 60M (about 20 min, 7.8 GB)
# Needs: build/samsort (or $SAMSORT), samtools, python3, /usr/bin/time; ~25 GB free in WORKDIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
samsort=${SAMSORT:-$here/../build/samsort}
out=$here/SCALE_60M.md
work=$here/work/scale60
more_threads="1 4 8"
while getopts "o:w:t:" opt; do
  case $opt in
    o) out=$OPTARG ;; w) work=$OPTARG ;; t) more_threads=$OPTARG ;;
    *) sed -n '2,11p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
set60=$1
mkdir -p "$work"
raw=$work/raw.txt
: >"$raw"
memory=800M
per_thread=400M
# shellcheck source=bench/scale_lib.sh
source "$here/scale_lib.sh"

{
  echo "# samsort on the 60M set (issue 10)"
  echo
  echo "Made by \`bench/scale_60m.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), git" \
    "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'),"
  echo "$(nproc) CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "samsort: $("$samsort" --version 2>&1 | head -1); $(samtools --version | head -1)."
  echo "Input: $(basename "$set60"), $(stat -c %s "$set60") bytes."
  echo
  echo "## -@2, $memory, -l 6, output to /dev/null (once each)"
  echo
  echo "Peak temporary disk: the largest rise of the file system's used bytes during the run"
  echo "(bench/peak_disk.py on $work; unlinked run files count)."
  echo
  echo "| tool | wall s | peak RSS MiB | peak temp GB | user s | sys s |"
  echo "|---|---|---|---|---|---|"
} >"$out"
versus_samtools 60M "$set60" "$work/st2.json"
{
  echo
  printf 'samsort / samtools %.2f; samsort / copy floor %.2f (target <= 1.2).\n' \
    "$(bc -l <<<"$samsort_wall / $samtools_wall")" "$(bc -l <<<"$samsort_wall / $copy_wall")"
  echo "samsort's stats: $(stats_line "$work/st2.json")."
  echo
  echo "## samsort's peak RSS by thread count, $memory, -l 6 (once each; target <= 816 MiB)"
  echo
  echo "| threads | wall s | peak RSS MiB | peak temp GB | user s | sys s | samsort stats |"
  echo "|---|---|---|---|---|---|---|"
} >>"$out"
for threads in $more_threads; do
  read -r w rss tmp user sys < <(measure "60M -l6 samsort -@$threads" "$samsort" sort \
    -@"$threads" --max-memory "$memory" -T "$work" --stats "$work/st.json" -o /dev/null "$set60")
  echo "| $threads | $w | $rss | $tmp | $user | $sys | $(stats_line "$work/st.json") |" >>"$out"
done
{
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Raw lines:"
  echo
  echo '```'
  cat "$raw"
  echo '```'
} >>"$out"
echo "wrote $out" >&2
