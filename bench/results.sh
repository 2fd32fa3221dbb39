#!/usr/bin/env bash
# The harness run behind bench/RESULTS.md and results.png: makes the data sets if missing, then
# measures every configuration that issue 6's targets name on the 4M-record align set, and
# the 20M-record set (coordinate order, samsort vs samtools, with its floors) appended to the
# same report. 67 minutes on the 2-core development VM (2026-11-21); run it on a quiet machine.
#
# usage: bench/results.sh [-n RUNS] [-N NOTE]   (RUNS for the 4M set [3]; the 20M set runs once)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=3
note=""
while getopts "n:N:h" opt; do
  case "$opt" in
    n) runs=$OPTARG ;; N) note=$OPTARG ;; *) sed -n '2,7p' "$0" >&2; exit 2 ;;
  esac
done
data=$here/data
[ -s "$data/art-4M.aligner.bam" ] || "$here/make_data.sh" 4M
[ -s "$data/rep-20M.aligner.bam" ] || "$here/make_data.sh" -m replicate -b 2M 20M

# 4M: all orders against every peer at the reference point (-@2, 800 MiB, level 6); coordinate
# at 256 MiB and at -@1 against every peer; level 1 and -u against samtools (the targets name
# only samtools there).
"$here/run.sh" -n "$runs" -q -N "$note" \
  -c all/2/800/6 \
  -c coordinate/2/256/6 \
  -c coordinate/1/800/6 \
  -c coordinate,queryname/2/800/1/samsort,samtools \
  -c coordinate/2/800/u/samsort,samtools \
  "$data/art-4M.aligner.bam"
# 20M (about 10 runs at 800 MiB): coordinate against samtools and the copy floor.
"$here/run.sh" -a -n 1 -q -N "$note" -c coordinate/2/800/6/samsort,samtools \
  "$data/rep-20M.aligner.bam"
