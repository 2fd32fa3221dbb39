#!/usr/bin/env bash
# The distributed sort (workflow/Snakefile run locally by Snakemake) against `samsort sort` of
# the same input on this machine: wall time and the largest peak RSS of any step (Snakemake's
# per-job benchmark files are not used: /usr/bin/time -v wraps each samsort through a shim),
# outputs checked to hold the same records in the same order (samtools view text, md5) and the
# same header but @PG. Writes bench/work/distributed/DISTRIBUTED.md; copy it to bench/.
#   bench/distributed_bench.sh [-K SHARDS] [-M SLICES] [-@ THREADS] [-m MEMORY] [-c CORES] IN.bam
# env: SAMSORT [build/samsort], SAMTOOLS [samtools], LOAD_NOTE [what else ran, for the report]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shards=4 slices=4 threads=2 memory=800M cores=2
while getopts "K:M:@:m:c:" opt; do
  case $opt in
    K) shards=$OPTARG ;; M) slices=$OPTARG ;; @) threads=$OPTARG ;; m) memory=$OPTARG ;;
    c) cores=$OPTARG ;; *) sed -n '2,8p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
input=$(realpath "$1")
samsort=${SAMSORT:-$repo/build/samsort}
samtools=${SAMTOOLS:-samtools}
work=$here/work/distributed
rm -rf "$work" && mkdir -p "$work"
# Each samsort step under /usr/bin/time -v, its peak RSS appended to rss.log.
shim=$work/samsort-timed
cat > "$shim" <<SHIM
#!/bin/sh
exec /usr/bin/time -f "%M %e \$1" -a -o "$work/steps.log" "$samsort" "\$@"
SHIM
chmod +x "$shim"

seconds() { date +%s.%N; }
start=$(seconds)
/usr/bin/time -f "%M" -o "$work/single.rss" "$samsort" sort -@ "$threads" --max-memory "$memory" \
  -T "$work/single.tmp" -o "$work/single.bam" "$input" 2>> "$work/stderr.log"
single_wall=$(echo "$(seconds) - $start" | bc)
start=$(seconds)
snakemake -s "$repo/workflow/Snakefile" --cores "$cores" --quiet --directory "$work" \
  --config samsort="$shim" input="$input" output="$work/distributed.bam" shards="$shards" \
  slices="$slices" threads="$threads" memory="$memory" > "$work/snakemake.log" 2>&1
distributed_wall=$(echo "$(seconds) - $start" | bc)
single_rss=$(awk '{ printf "%.0f", $1 / 1024 }' "$work/single.rss")
step_rss=$(awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }' "$work/steps.log")
same_records=no
if [ "$("$samtools" view -@ "$threads" "$work/single.bam" | md5sum)" = \
     "$("$samtools" view -@ "$threads" "$work/distributed.bam" | md5sum)" ]; then
  same_records=yes
fi
same_header=no
if [ "$("$samtools" view -H --no-PG "$work/single.bam" | grep -v '^@PG' | md5sum)" = \
     "$("$samtools" view -H --no-PG "$work/distributed.bam" | grep -v '^@PG' | md5sum)" ]; then
  same_header=yes
fi
records=$("$samtools" view -c -@ "$threads" "$input")
{
  echo "# The distributed sort (workflow/Snakefile) vs samsort sort"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, $(basename "$input") ($records records, $(du -h "$input" | cut -f1)),"
  echo "coordinate order, level 6, one run each, one machine (snakemake --cores $cores)${LOAD_NOTE:+; $LOAD_NOTE}."
  echo "Workflow: K=$shards ranges, M=$slices slices, each step -@ $threads --max-memory $memory;"
  echo "single node: samsort sort -@ $threads --max-memory $memory."
  echo
  echo "| run | wall s | peak RSS MiB (largest step) | same records | same header (but @PG) |"
  echo "|---|---|---|---|---|"
  echo "| samsort sort | $(printf %.1f "$single_wall") | $single_rss | | |"
  echo "| workflow | $(printf %.1f "$distributed_wall") | $step_rss | $same_records | $same_header |"
  echo
  echo "Steps (peak RSS KiB, wall s, step):"
  echo
  echo '```'
  cat "$work/steps.log"
  echo '```'
} > "$work/DISTRIBUTED.md"
cat "$work/DISTRIBUTED.md"
