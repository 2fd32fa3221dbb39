#!/usr/bin/env bash
# Temporary disk and wall time of the spill codecs beside samtools, on one input:
# samsort --temp-compression none | 1 | 3 and samtools sort, the same threads and total memory,
# output to /dev/null, temporary files in DIR. Peak temporary disk is measured from outside
# (bench/peak_disk.py: the file system's used bytes), not from --stats alone.
#
# usage: bench/temp_compare.sh [-@ THREADS] [-m MEMORY] [-T DIR] [-r RUNS] [-p] in.bam
#   -p  also feed the input through a pipe (bench/pipe_stall.py) and report the longest write
# output: a markdown table on stdout (one row per tool and run), raw lines on stderr.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
threads=2
memory=800M
tmp=${TMPDIR:-/tmp}
runs=1
pipe=0
while getopts "@:m:T:r:p" opt; do
  case $opt in
    @) threads=$OPTARG ;;
    m) memory=$OPTARG ;;
    T) tmp=$OPTARG ;;
    r) runs=$OPTARG ;;
    p) pipe=1 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
input=${1:?usage: temp_compare.sh [-@ N] [-m MEM] [-T DIR] [-r RUNS] in.bam}
samsort=${SAMSORT:-$repo/build/samsort}
work=$(mktemp -d "$tmp/temp_compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
bytes_mib=$(numfmt --from=iec "$memory")
per_thread=$((bytes_mib / threads / 1048576))M

measure() {  # name, command...
  local name=$1
  shift
  local stats=$work/time.txt
  local line
  line=$("$here/peak_disk.py" "$tmp" -- /usr/bin/time -v -o "$stats" "$@" 2>/dev/null | tail -1)
  local rss user sys
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$stats")
  user=$(awk -F': ' '/User time/ {print $2}' "$stats")
  sys=$(awk -F': ' '/System time/ {print $2}' "$stats")
  echo "$name $line rss_kib=$rss user_s=$user sys_s=$sys" >&2
  local peak wall
  peak=$(sed -n 's/.*peak_disk_bytes=\([0-9]*\).*/\1/p' <<<"$line")
  wall=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$line")
  printf '| %s | %s | %.2f | %s | %s | %.0f |\n' "$name" "$wall" \
    "$(bc -l <<<"$peak / 1000000000")" "$user" "$sys" "$(bc -l <<<"$rss / 1024")"
}

echo "input: $input ($(stat -c %s "$input") bytes), -@$threads, $memory total, temp in $tmp"
echo
echo "| tool | wall s | peak temp GB | user s | sys s | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
for ((run = 1; run <= runs; ++run)); do
  for codec in none 1 3; do
    measure "samsort --temp-compression $codec" "$samsort" sort -@ "$threads" \
      --max-memory "$memory" --temp-compression "$codec" -T "$work" -o /dev/null "$input"
  done
  measure "samtools sort -m $per_thread" samtools sort -@ "$threads" -m "$per_thread" \
    -T "$work/st" -o /dev/null "$input"
done
((pipe)) || exit 0
echo
echo "Fed through a pipe in 64 KiB writes (bench/pipe_stall.py): the longest a producer waited."
echo
echo "| tool | longest write s | p99 write s | wall s |"
echo "|---|---|---|---|"
stall() {  # name, command...
  local name=$1
  shift
  local line
  line=$("$here/pipe_stall.py" "$input" -- "$@" | tail -1)
  echo "$name $line" >&2
  printf '| %s | %s | %s | %s |\n' "$name" "$(sed -n 's/.*longest_write_s=\([0-9.]*\).*/\1/p' <<<"$line")" \
    "$(sed -n 's/.*p99_write_s=\([0-9.]*\).*/\1/p' <<<"$line")" \
    "$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$line")"
}
for codec in none 1; do
  stall "samsort --temp-compression $codec" "$samsort" sort -@ "$threads" --max-memory "$memory" \
    --temp-compression "$codec" -T "$work" -o /dev/null -
done
stall "samtools sort -m $per_thread" samtools sort -@ "$threads" -m "$per_thread" \
  -T "$work/st" -o /dev/null -
