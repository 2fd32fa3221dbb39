#!/usr/bin/env bash
# Compressed size of a paired unaligned BAM in minimiser orders with and without name groups
# (--minimiser-group-names, samtools issue #2294): the input order (samtools import: pairs
# adjacent), plain -M, and the grouped order with each group key rule (smallest minimiser of
# the group, the default; first read's, hidden --debug-group-key first), as BAM at level 6 and
# as CRAM 3.1 (samtools view -O cram,version=3.1 --no-PG, unaligned: no reference), both
# written by samtools view from each order's records (one compressor for all); and -M's output
# name-grouped afterwards by samtools collate (default and -f fast mode; their wall time is
# added to the sort's), the issue's first suggestion. Also the sort's wall time and peak RSS, the grouped order once more with a small budget (two passes,
# spills), which must give the same records in the same order, and samsort verify.
# The data set (art_illumina HS25 2x150, insert 400, on bench/data/genome-s1/ref.fa or $REF)
# is made on demand in bench/data/mmgroups. Writes bench/work/mmgroups/table.md.
#   bench/minimiser_groups.sh [-f COVERAGE (4: ~1.3M pairs)] [-@ THREADS (2)]
# env: SAMSORT [build/samsort], SAMTOOLS [samtools], REF [main checkout's genome-s1/ref.fa]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
coverage=4 threads=2
while getopts "f:@:" opt; do
  case $opt in
    f) coverage=$OPTARG ;; @) threads=$OPTARG ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
done
samsort=${SAMSORT:-$repo/build/samsort}
samtools=${SAMTOOLS:-samtools}
ref=${REF:-$here/data/genome-s1/ref.fa}
[ -s "$ref" ] || ref=/work/main/bench/data/genome-s1/ref.fa
data=$here/data/mmgroups
work=$here/work/mmgroups
mkdir -p "$data" "$work"
input=$data/unaligned.f$coverage.bam
if [ ! -s "$input" ]; then
  art_illumina -ss HS25 -i "$ref" -p -l 150 -f "$coverage" -m 400 -s 30 -rs 2294 \
    -o "$data/pairs" --noALN > "$data/art.log"
  "$samtools" import -@ "$threads" -1 "$data/pairs1.fq" -2 "$data/pairs2.fq" -o "$input.tmp"
  mv "$input.tmp" "$input"
  rm -f "$data/pairs1.fq" "$data/pairs2.fq"
fi
records=$("$samtools" view -c -@ "$threads" "$input")

measure() {  # command... -> "wall rss_mib"
  /usr/bin/time -v -o "$work/time.log" "$@" > /dev/null 2>> "$work/stderr.log"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
    /Maximum resident set size/ { rss = $2 / 1024 } END { printf "%.1f %.0f\n", wall, rss }' "$work/time.log"
}
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }
cram_of() {  # BAM -> its CRAM 3.1's path
  "$samtools" view -@ "$threads" -O cram,version=3.1 --no-PG -o "$1.cram" "$1" 2> /dev/null
  echo "$1.cram"
}
bam_of() {  # BAM -> the path of its records as samtools writes them at level 6
  "$samtools" view -@ "$threads" -O bam,level=6 --no-PG -o "$1.l6.bam" "$1"
  echo "$1.l6.bam"
}
adjacent() {  # BAM -> "yes" when every name's records are adjacent
  "$samtools" view "$1" | awk '$1 != last { if ($1 in seen) bad = 1; seen[$1] = 1; last = $1 }
    END { print bad ? "no" : "yes" }'
}

common=(sort -@ "$threads" -l 6 --no-PG)
declare -A label=(
  [input]="input order (samtools import)"
  [minhash]="-M"
  [grouped]="-M --minimiser-group-names (group key: smallest)"
  [first]="-M --minimiser-group-names, group key: first read's"
  [collate]="-M, then samtools collate"
  [collatef]="-M, then samtools collate -f"
)
declare -A args=(
  [minhash]="-M"
  [grouped]="-M --minimiser-group-names"
  [first]="-M --minimiser-group-names --debug-group-key first"
)
declare -A wall rss
for name in minhash grouped first; do
  read -r wall[$name] rss[$name] < <(measure "$samsort" "${common[@]}" ${args[$name]} \
    -o "$work/$name.bam" "$input")
done
for name in collate collatef; do
  fast=()
  [ "$name" = collatef ] && fast=(-f)
  read -r cwall crss < <(measure "$samtools" collate -@ "$threads" "${fast[@]}" -l 6 \
    --no-PG -o "$work/$name.bam" "$work/minhash.bam" "$work/collate.tmp")
  wall[$name]=$(awk -v a="${wall[minhash]}" -v b="$cwall" 'BEGIN { printf "%.1f", a + b }')
  rss[$name]=$((crss > rss[minhash] ? crss : rss[minhash]))
done
cp "$input" "$work/input.bam"
# The grouped order again with a small budget: pass 1 spills, two passes.
read -r spill_wall spill_rss < <(measure "$samsort" "${common[@]}" -M --minimiser-group-names \
  --max-memory 256M -o "$work/grouped-spilled.bam" "$input")
same=$(cmp -s <("$samtools" view "$work/grouped.bam" | md5sum) \
  <("$samtools" view "$work/grouped-spilled.bam" | md5sum) && echo yes || echo no)
verify=$("$samsort" verify -M --minimiser-group-names "$work/grouped.bam" > /dev/null 2>&1 &&
  echo ok || echo FAILED)

{
  echo "$(date -u +%Y-%m-%d), $(nproc) CPUs; $(basename "$input"): $records records ($((records / 2)) pairs, art_illumina HS25 2x150 at ${coverage}x), name-grouped by samtools import."
  echo "Sorts: samsort $("$samsort" --version | head -1 | cut -d' ' -f2) at -@ $threads, default budget (in memory). Sizes: $("$samtools" --version | head -1) \`view -O bam,level=6\` and \`view -O cram,version=3.1\` (no reference) of each order's records."
  echo
  echo "| order | names adjacent | BAM MB | CRAM 3.1 MB | BAM / input order | CRAM / input order | sort wall s | peak RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  input_bam=$(stat -c %s "$(bam_of "$work/input.bam")")
  input_cram=$(stat -c %s "$(cram_of "$work/input.bam")")
  for name in input minhash collate collatef grouped first; do
    bam=$work/$name.bam
    cram=$(cram_of "$bam")
    level6=$(bam_of "$bam")
    ratio=$(awk -v a="$(stat -c %s "$cram")" -v b="$input_cram" 'BEGIN { printf "%.3f", a / b }')
    bam_ratio=$(awk -v a="$(stat -c %s "$level6")" -v b="$input_bam" 'BEGIN { printf "%.3f", a / b }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${label[$name]}" "$(adjacent "$bam")" \
      "$(size_mb "$level6")" "$(size_mb "$cram")" "$bam_ratio" "$ratio" "${wall[$name]:--}" \
      "${rss[$name]:--}"
  done
  echo
  echo "Grouped with --max-memory 256M (two passes): ${spill_wall} s, peak RSS ${spill_rss} MiB; same records in the same order as in memory: $same. \`samsort verify -M --minimiser-group-names\`: $verify."
} > "$work/table.md"
cat "$work/table.md"
