#!/usr/bin/env bash
# Times samsort against samtools sort on one BAM at the same TOTAL memory and threads, for
# each order, with /usr/bin/time -v (wall, user, sys, peak RSS), alternating the tools over
# repeated runs, and checks that each output has the input's record count.
#
# usage: bench/compare.sh [-n RUNS] [-m TOTAL_MIB] [-@ THREADS] [-l LEVEL] [-o ORDERS] IN.bam
#   ORDERS is a comma list of: coordinate,queryname,queryname-lex,template-coordinate
# env: SAMSORT (default build/samsort), SAMTOOLS (default samtools), BENCH_DIR (scratch dir)
# Prints one TSV line per run and a median summary per tool and order.
set -euo pipefail
runs=3; total_mib=800; threads=2; level=6; orders=coordinate
while getopts "n:m:@:l:o:" opt; do
  case "$opt" in
    n) runs=$OPTARG ;; m) total_mib=$OPTARG ;; @) threads=$OPTARG ;;
    l) level=$OPTARG ;; o) orders=$OPTARG ;; *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
input=${1:?input BAM required}
samsort=${SAMSORT:-build/samsort}
samtools=${SAMTOOLS:-samtools}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
per_thread_mib=$((total_mib / threads))
records=$("$samtools" view -c -@ "$threads" "$input")

samtools_flags() {
  case "$1" in
    coordinate) echo "" ;; queryname) echo "-n" ;; queryname-lex) echo "-N" ;;
    template-coordinate) echo "--template-coordinate" ;;
  esac
}

measure() {  # tool order run -> one TSV line
  local tool=$1 order=$2 run=$3 out="$work/out.$1.$2.bam" log="$work/time.log"
  rm -f "$out"
  if [ "$tool" = samsort ]; then
    /usr/bin/time -v -o "$log" "$samsort" sort --verbosity 0 -@ "$threads" \
      --max-memory "${total_mib}M" -l "$level" --order "$order" -T "$work" -o "$out" "$input"
  else
    # samtools' -m is per thread: total / threads keeps the same total memory.
    # shellcheck disable=SC2046
    /usr/bin/time -v -o "$log" "$samtools" sort -@ "$threads" -m "${per_thread_mib}M" \
      -l "$level" $(samtools_flags "$order") -T "$work/st" -o "$out" "$input" 2>/dev/null
  fi
  local wall user sys rss count
  wall=$(awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
  user=$(awk -F': ' '/User time/ {print $2}' "$log")
  sys=$(awk -F': ' '/System time/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$log")
  count=$("$samtools" view -c -@ "$threads" "$out")
  [ "$count" = "$records" ] || { echo "record count mismatch: $tool $order $count != $records" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$order" "$run" "$wall" "$user" "$sys" "$rss"
  rm -f "$out"
}

results="$work/results.tsv"
: > "$results"
echo -e "tool\torder\trun\twall_s\tuser_s\tsys_s\tpeak_rss_mib"
IFS=, read -ra order_list <<< "$orders"
for run in $(seq 1 "$runs"); do
  for order in "${order_list[@]}"; do
    tools=(samsort samtools)
    ((run % 2 == 0)) && tools=(samtools samsort)  # alternate who goes first
    if [ "$order" = queryname-lex ] && ! "$samtools" sort --help 2>&1 | grep -q -- ' -N '; then
      tools=(samsort)  # Debian's samtools 1.16.1 has no -N
    fi
    for tool in "${tools[@]}"; do measure "$tool" "$order" "$run" | tee -a "$results"; done
  done
done
echo
echo "medians over $runs runs; $records records; ${total_mib} MiB total, -@ $threads, level $level"
echo -e "tool\torder\twall_s\tuser_s\tsys_s\tpeak_rss_mib"
sort -k1,1 -k2,2 "$results" | awk -F'\t' '
  function median(list,   n, arr) { n = split(list, arr, " "); asort(arr); return n % 2 ? arr[(n+1)/2] : (arr[n/2] + arr[n/2+1]) / 2 }
  { key = $1 "\t" $2; w[key] = w[key] " " $4; u[key] = u[key] " " $5; s[key] = s[key] " " $6; r[key] = r[key] " " $7; keys[key] = 1 }
  END { for (k in keys) printf "%s\t%.2f\t%.2f\t%.2f\t%.1f\n", k, median(w[k]), median(u[k]), median(s[k]), median(r[k]) }' | sort
