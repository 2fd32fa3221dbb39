#!/usr/bin/env bash
# samsort merge against samtools merge on a sarek-like gather: a coordinate-sorted BAM cut into
# N sorted chunks (records by index modulo N, so each chunk spans the genome), merged at
# -@ THREADS and each LEVEL; wall and peak RSS by /usr/bin/time -v, outputs checked to hold
# the same records in the same order (samtools view text); all merge with -c -p (the chunks of
# one sample share their @RG and @PG lines), and the copy floor of the output
# (samtools view -O bam,level=L at the same threads: decompress + recompress, no merging).
# Writes bench/MERGE.md (one run per measurement unless -n).
#   bench/merge_bench.sh [-n RUNS] [-c CHUNKS] [-@ THREADS] [-l LEVELS] IN.coord.bam
# env: SAMSORT [build/samsort], SAMTOOLS [samtools], SAMTOOLS_HEAD [unset: not run]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
runs=1 chunks=40 threads=2 levels="6 1"
while getopts "n:c:@:l:" opt; do
  case $opt in
    n) runs=$OPTARG ;; c) chunks=$OPTARG ;; @) threads=$OPTARG ;; l) levels=${OPTARG//,/ } ;;
    *) sed -n '2,9p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
input=$1
samsort=${SAMSORT:-$repo/build/samsort}
samtools=${SAMTOOLS:-samtools}
work=$here/work/merge
mkdir -p "$work"
chunk_dir=$here/data/$(basename "$input" .bam).chunks$chunks
if [ ! -s "$chunk_dir/done" ]; then
  rm -rf "$chunk_dir" && mkdir -p "$chunk_dir"
  "$samtools" view -H "$input" > "$chunk_dir/header.sam"
  # One samtools per chunk behind awk's pipes: records keep their order inside each chunk.
  "$samtools" view -@ "$threads" "$input" | awk -v n="$chunks" -v dir="$chunk_dir" -v st="$samtools" '
    BEGIN { for (i = 0; i < n; i++) { cmd[i] = "cat " dir "/header.sam - | " st " view -O bam,level=1 -o " dir "/c" i ".bam -" } }
    { print | cmd[(NR - 1) % n] }
    END { for (i = 0; i < n; i++) close(cmd[i]) }'
  echo ok > "$chunk_dir/done"
fi
mapfile -t inputs < <(for i in $(seq 0 $((chunks - 1))); do echo "$chunk_dir/c$i.bam"; done)

measure() {  # label output command... -> "wall rss_mib"
  local log=$work/time.log
  /usr/bin/time -v -o "$log" "$@" > /dev/null 2>> "$work/stderr.log"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
    /Maximum resident set size/ { rss = $2 / 1024 } END { printf "%.1f %.0f\n", wall, rss }' "$log"
}

records=$("$samtools" view -c -@ "$threads" "$input")
{
  echo "# samsort merge vs samtools merge"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, $(basename "$input") ($records records) cut into $chunks sorted chunks;"
  echo "-@ $threads, $runs run(s) per cell (median when more), one machine, nothing else running."
  echo "samsort $("$samsort" --version | head -1 | cut -d' ' -f2), samtools $("$samtools" --version | head -1 | cut -d' ' -f2)${SAMTOOLS_HEAD:+, samtools HEAD $("$SAMTOOLS_HEAD" --version | head -1 | cut -d' ' -f2)}."
  echo
  echo "| level | tool | wall s | peak RSS MiB | / copy floor | / samtools | same records |"
  echo "|---|---|---|---|---|---|---|"
} > "$work/MERGE.md"
for level in $levels; do
  out=$work/out.l$level
  floor_wall=""
  declare -A wall=() rss=()
  tools=(samsort samtools)
  [ -n "${SAMTOOLS_HEAD:-}" ] && tools+=(samtools-head)
  for tool in "${tools[@]}"; do
    walls=()
    for _ in $(seq 1 "$runs"); do
      rm -f "$out.$tool.bam"
      case $tool in
        samsort) read -r w r < <(measure "$samsort" merge -f -c -p -@ "$threads" -l "$level" --no-PG -T "$work" -o "$out.$tool.bam" "${inputs[@]}") ;;
        samtools) read -r w r < <(measure "$samtools" merge -f -c -p -@ "$threads" -l "$level" --no-PG -o "$out.$tool.bam" "${inputs[@]}") ;;
        samtools-head) read -r w r < <(measure "$SAMTOOLS_HEAD" merge -f -c -p -@ "$threads" -l "$level" --no-PG -o "$out.$tool.bam" "${inputs[@]}") ;;
      esac
      walls+=("$w"); rss[$tool]=$r
    done
    wall[$tool]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  done
  read -r floor_wall _ < <(measure "$samtools" view -@ "$threads" -O "bam,level=$level" -o "$out.floor.bam" "$out.samsort.bam")
  reference=$("$samtools" view -@ "$threads" "$out.samtools.bam" | md5sum | cut -d' ' -f1)
  for tool in "${tools[@]}"; do
    same=$([ "$("$samtools" view -@ "$threads" "$out.$tool.bam" | md5sum | cut -d' ' -f1)" = "$reference" ] && echo yes || echo NO)
    printf '| %s | %s | %s | %s | %.2f | %.2f | %s |\n' "$level" "$tool" "${wall[$tool]}" "${rss[$tool]}" \
      "$(echo "${wall[$tool]} / $floor_wall" | bc -l)" "$(echo "${wall[$tool]} / ${wall[samtools]}" | bc -l)" "$same" >> "$work/MERGE.md"
  done
  printf '| %s | copy floor (samtools view -b) | %s | | 1.00 | | |\n' "$level" "$floor_wall" >> "$work/MERGE.md"
  rm -f "$out".*.bam
done
cp "$work/MERGE.md" "$here/MERGE.md"
cat "$here/MERGE.md"
