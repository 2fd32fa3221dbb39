#!/usr/bin/env bash
# The benchmark harness: sorts each input BAM with samsort and the peers that are installed
# (samtools, sambamba, biobambam2 bamsort) for every order x thread count x TOTAL memory
# budget x output level asked for, timing each with /usr/bin/time -v (wall, user, sys, peak
# RSS), checking every output, and measuring the floors in the same run: decompression alone,
# a decompress + recompress copy at the same level and threads, and the pure libdeflate codec
# floor (bench/codec_floor.cpp). Writes RESULTS.md, results.png, results.tsv (raw runs) and
# results.meta.tsv (machine, versions); bench/report.py remakes the first two from the last two.
#
# usage: bench/run.sh [options] IN.bam...
#   -n RUNS   repetitions of every measurement [3]; odd runs go through the tools in one
#             order, even runs in the reverse order
#   -@ LIST   thread counts, comma separated [2]
#   -m LIST   TOTAL memory budgets in MiB, comma separated [800]
#   -l LIST   output levels, comma separated: 0-9, or u for uncompressed (-u) [6]
#   -o LIST   orders [coordinate,queryname,queryname-lex,template-coordinate]
#   -t LIST   tools [samsort,samtools,sambamba,bamsort]; missing ones are skipped with a note
#   -w DIR    scratch directory for outputs and temporary runs [bench/work]
#   -r DIR    where RESULTS.md, results.png, results.tsv and results.meta.tsv go [bench]
#   -c SPEC   a configuration to run instead of the cross product of -@, -m, -l and -o:
#             ORDERS/THREADS/BUDGET/LEVEL[/TOOLS], ORDERS and TOOLS comma separated, ORDERS
#             `all` for the four orders, e.g. -c all/2/800/6 -c coordinate/1/800/6/samsort,samtools;
#             repeatable; floors are measured for each THREADS x LEVEL that a spec names
#   -a        append to the raw results already in the scratch directory (a second data set
#             with other configurations, e.g. the 20M set with fewer runs); one report covers all
#   -N TEXT   a note printed at the top of RESULTS.md (e.g. "smoke test, shared machine")
#   -q        quick output check: record count and order digest only, no multiset hash
# env: SAMSORT [build/samsort], SAMTOOLS [samtools], SAMBAMBA [sambamba], BAMSORT [bamsort]
#
# Memory: every tool gets the same TOTAL B MiB through its own knob: samsort --max-memory B;
# samtools -m B/T (per thread); sambamba -m B (documented as the total for all threads);
# bamsort blockmb=B (its sort buffer). Peak RSS is measured, so the tables show who keeps it.
# Threads: samsort -@ T, samtools -@ T, sambamba -t T, bamsort {sort,input,output}threads=T.
# Checks on every output: record count; an order-free hash of its records (samtools view
# text) against the input's; `samsort verify --order ORDER` (samsort's order contract); and an
# MD5 of its text in order against samtools' output in the same order. samsort must be
# identical to samtools in coordinate order, and in name orders when samtools >= 1.20 (older
# ones leave name ties in input order, samtools PR #2012); template-coordinate identity is
# reported only (samsort ignores hard clips as samtools PR #2287 does). Peers' results are
# reported, not enforced. Exit status 1 when a samsort output fails a check.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
runs=3
threads_list=2
budgets=800
levels=6
orders=coordinate,queryname,queryname-lex,template-coordinate
tools_list=samsort,samtools,sambamba,bamsort
work=$here/work
resdir=$here
note=""
quick=0
append=0
SPECS=()
shell_word() {  # an argument as one would type it
  if [[ "$1" =~ ^[A-Za-z0-9_./,:=@+%-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
invocation=bench/run.sh
for a in "$@"; do invocation+=" $(shell_word "$a")"; done

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "n:@:m:l:o:t:w:r:N:c:aqh" opt; do
  case "$opt" in
    n) runs=$OPTARG ;; @) threads_list=$OPTARG ;; m) budgets=$OPTARG ;; l) levels=$OPTARG ;;
    o) orders=$OPTARG ;; t) tools_list=$OPTARG ;; w) work=$OPTARG ;; r) resdir=$OPTARG ;;
    N) note=$OPTARG ;; c) SPECS+=("$OPTARG") ;; a) append=1 ;; q) quick=1 ;; *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage

samsort=${SAMSORT:-$repo/build/samsort}
samtools=${SAMTOOLS:-samtools}
sambamba=${SAMBAMBA:-sambamba}
bamsort=${BAMSORT:-bamsort}
IFS=, read -ra T_LIST <<< "$threads_list"
IFS=, read -ra B_LIST <<< "$budgets"
IFS=, read -ra L_LIST <<< "$levels"
ALL_ORDERS=(coordinate queryname queryname-lex template-coordinate)
if ((${#SPECS[@]} == 0)); then  # the cross product of -@, -m, -l and -o
  for t in "${T_LIST[@]}"; do
    for l in "${L_LIST[@]}"; do
      for b in "${B_LIST[@]}"; do SPECS+=("$orders/$t/$b/$l"); done
    done
  done
fi
# Specs grouped by THREADS|LEVEL (floors are per group), in the order first named; each
# group's jobs are "tool|order|budget" words.
declare -A GROUP_JOBS=()
GROUP_KEYS=()
O_LIST=()
TOOL_REQ=()
add_unique() {  # array-name value
  local -n arr=$1
  local v
  for v in "${arr[@]}"; do [ "$v" = "$2" ] && return 0; done
  arr+=("$2")
}
for spec in "${SPECS[@]}"; do
  IFS=/ read -r s_orders s_threads s_budget s_level s_tools <<< "$spec"
  [[ "$s_threads" =~ ^[1-9][0-9]*$ && "$s_budget" =~ ^[1-9][0-9]*$ ]] ||
    { echo "bad spec $spec (ORDERS/THREADS/BUDGET/LEVEL[/TOOLS])" >&2; exit 2; }
  case "$s_level" in [0-9] | u) ;; *) echo "bad level $s_level in $spec (0-9 or u)" >&2; exit 2 ;; esac
  [ "$s_orders" = all ] && s_orders=$(IFS=,; echo "${ALL_ORDERS[*]}")
  IFS=, read -ra s_order_list <<< "$s_orders"
  IFS=, read -ra s_tool_list <<< "${s_tools:-$tools_list}"
  key="$s_threads|$s_level"
  [ -n "${GROUP_JOBS[$key]+x}" ] || { GROUP_KEYS+=("$key"); GROUP_JOBS[$key]=""; }
  for o in "${s_order_list[@]}"; do
    case "$o" in coordinate | queryname | queryname-lex | template-coordinate) ;;
      *) echo "unknown order $o" >&2; exit 2 ;; esac
    add_unique O_LIST "$o"
    for t in "${s_tool_list[@]}"; do
      add_unique TOOL_REQ "$t"
      GROUP_JOBS[$key]+="$t|$o|$s_budget "
    done
  done
done
orders=$(IFS=,; echo "${O_LIST[*]}")
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
command -v "$samtools" > /dev/null || { echo "needs samtools (checks and floors)" >&2; exit 1; }
command -v python3 > /dev/null || { echo "needs python3" >&2; exit 1; }

mkdir -p "$work" "$resdir"
work=$(cd "$work" && pwd)
resdir=$(cd "$resdir" && pwd)
# raw results are written in the scratch directory and copied next to the report at the end,
# so an interrupted run leaves the previous results.* intact
tsv=$work/results.tsv
meta=$work/results.meta.tsv
tmp=$work/tmp
out=$work/out.bam
tlog=$work/time.log
if [ "$append" = 0 ] || [ ! -s "$meta" ]; then
  : > "$meta"
  append=0
fi

log() { printf '[run %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
note() { printf 'note\t%s\n' "$*" >> "$meta"; log "note: $*"; }
metakv() { printf '%s\t%s\n' "$1" "$2" >> "$meta"; }

# --- tools available
declare -A have=()
declare -A bin=([samsort]=$samsort [samtools]=$samtools [sambamba]=$sambamba [bamsort]=$bamsort)
declare -A pkg=([samsort]="cmake --build build" [samtools]="apt-get install samtools"
  [sambamba]="apt-get install sambamba" [bamsort]="apt-get install biobambam2")
TOOLS=()
for t in "${TOOL_REQ[@]}"; do
  [ -n "${bin[$t]+x}" ] || { echo "unknown tool $t" >&2; exit 2; }
  if command -v "${bin[$t]}" > /dev/null; then
    have[$t]=1
    TOOLS+=("$t")
  else
    note "$t skipped: ${bin[$t]} not found (${pkg[$t]})"
  fi
done
samtools_has_N=0
if "$samtools" sort 2>&1 | grep -q -- '^ *-N '; then samtools_has_N=1; fi

supports() {  # tool order -> 0 if the tool can sort in that order
  case "$1:$2" in
    samtools:queryname-lex) [ "$samtools_has_N" = 1 ] ;;
    sambamba:template-coordinate | bamsort:template-coordinate) return 1 ;;
    *) return 0 ;;
  esac
}
for t in "${TOOLS[@]}"; do
  for o in "${O_LIST[@]}"; do
    if ! supports "$t" "$o"; then
      case "$t" in
        samtools) note "samtools $o skipped: $("$samtools" --version | head -1) has no -N (lexicographic name order, samtools >= 1.20)" ;;
        *) note "$t $o skipped: $t has no $o order" ;;
      esac
    fi
  done
done
if [ -n "${have[sambamba]+x}" ] && [[ ",$orders," = *,coordinate,* ]]; then
  note "sambamba sort always writes a BAM index beside coordinate-sorted output (no option turns it off); its coordinate times include that"
fi
[ -n "${have[samtools]+x}" ] || note "samtools not run: no reference order to compare samsort's output with"

# --- codec floor binary
codec=$work/codec_floor
if [ ! -x "$codec" ] || [ "$here/codec_floor.cpp" -nt "$codec" ]; then
  log "building $codec"
  g++ -O2 -std=c++17 -o "$codec" "$here/codec_floor.cpp" -ldeflate
fi

# --- machine and versions
metakv date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
metakv invocation "$invocation"
metakv runs "$runs"
metakv work "$work"
metakv machine "$(hostname), $(nproc) CPUs (nproc)"
metakv cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(grep -c ^processor /proc/cpuinfo) logical)"
metakv memory "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
metakv kernel "$(uname -sr)"
metakv disk "$(df -hT "$work" | awk 'NR == 2 {print $2 " " $1 ", " $5 " free, scratch " $7}')"
metakv load_before "$(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-minute load average at start)"
git_rev=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?')
[ -n "${have[samsort]+x}" ] && metakv version "samsort: $("$samsort" --version 2>&1 | head -1), $samsort, git $git_rev"
metakv version "samtools: $("$samtools" --version | head -1), $("$samtools" --version | sed -n 2p)"
metakv samtools_version "$("$samtools" --version | head -1 | awk '{print $2}')"
[ -n "${have[sambamba]+x}" ] && metakv version "sambamba: $("$sambamba" --version 2>&1 | grep -m1 sambamba)"
[ -n "${have[bamsort]+x}" ] && metakv version "bamsort: $("$bamsort" --version 2>&1 | head -1 | sed 's/^This is //; s/\.$//')"
metakv version "libdeflate: $(dpkg-query -W -f '${Version}' libdeflate-dev 2>/dev/null || echo '?') (codec_floor, $(g++ --version | head -1))"
metakv version "bash $BASH_VERSION, /usr/bin/time $(dpkg-query -W -f '${Version}' time 2>/dev/null || echo '?')"

[ "$append" = 1 ] || printf 'dataset\trecords\tthreads\tbudget_mib\tlevel\torder\ttool\trun\twall_s\tuser_s\tsys_s\trss_mib\texit\tcount\tmd5\tmultiset\tverify\textra\tcmd\n' > "$tsv"

# --- one measurement
digest() {  # BAM -> "count md5 multiset"
  local fast=()
  [ "$quick" = 1 ] && fast=(--fast)
  "$samtools" view -@ "$threads" "$1" | python3 "$here/report.py" digest "${fast[@]}"
}

parse_time() {  # time -v log -> "wall user sys rss_mib"
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
    /User time/ { user = $2 } /System time/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%.2f %.2f %.2f %.1f\n", wall, user, sys, rss }' "$1"
}

lvl_num() { [ "$1" = u ] && echo 0 || echo "$1"; }

build_cmd() {  # tool order budget level -> CMD array
  local tool=$1 order=$2 budget=$3 level=$4 l
  l=$(lvl_num "$level")
  case "$tool" in
    samsort)
      CMD=("$samsort" sort -@ "$threads" --max-memory "${budget}M")
      if [ "$level" = u ]; then CMD+=(-u); else CMD+=(-l "$level"); fi
      CMD+=(--order "$order" -T "$tmp" --stats "$work/stats.json" --verbosity 0 -o "$out" "$input") ;;
    samtools)
      CMD=("$samtools" sort -@ "$threads" -m "$((budget / threads))M")
      if [ "$level" = u ]; then CMD+=(-u); else CMD+=(-l "$level"); fi
      case "$order" in
        queryname) CMD+=(-n) ;; queryname-lex) CMD+=(-N) ;;
        template-coordinate) CMD+=(--template-coordinate) ;;
      esac
      CMD+=(-T "$tmp/samtools" -o "$out" "$input") ;;
    sambamba)
      CMD=("$sambamba" sort -t "$threads" -m "${budget}M" -l "$l")
      case "$order" in queryname) CMD+=(-N) ;; queryname-lex) CMD+=(-n) ;; esac
      CMD+=(--tmpdir "$tmp" -o "$out" "$input") ;;
    bamsort)
      local so=coordinate
      case "$order" in queryname) so=queryname ;; queryname-lex) so=queryname_lexicographic ;; esac
      CMD=("$bamsort" "SO=$so" "level=$l" "blockmb=$budget" "sortthreads=$threads"
        "inputthreads=$threads" "outputthreads=$threads" "tmpfile=$tmp/bamsort" verbose=0
        "I=$input" "O=$out") ;;
    floor:decompress) CMD=("$samtools" view -c -@ "$threads" "$input") ;;
    floor:copy)
      CMD=("$samtools" view -@ "$threads")
      if [ "$level" = u ]; then CMD+=(-u); else CMD+=(-O "bam,level=$level"); fi
      CMD+=(-o "$out" "$input") ;;
    floor:codec) CMD=("$codec" -l "$l" "$input") ;;
  esac
}

samsort_failed=0
measure() {  # tool order budget level run
  local tool=$1 order=$2 budget=$3 level=$4 run=$5 rc=0
  build_cmd "$tool" "$order" "$budget" "$level"
  rm -rf "$tmp" "$out" "$out.bai" "$work/stats.json"
  mkdir -p "$tmp"
  /usr/bin/time -v -o "$tlog" "${CMD[@]}" > "$work/job.out" 2> "$work/job.err" || rc=$?
  local wall user sys rss count=- md5=- multiset=- verify=- extra=-
  read -r wall user sys rss < <(parse_time "$tlog")
  if [ "$rc" != 0 ]; then
    log "FAILED ($rc): ${CMD[*]}"
    tail -5 "$work/job.err" >&2
    [ "$tool" = samsort ] && samsort_failed=1
  else
    case "$tool" in
      floor:decompress) count=$(tr -d '[:space:]' < "$work/job.out") ;;
      floor:copy) ;;
      floor:codec) extra=$(tr ' ' ';' < "$work/job.out" | tr -d '\n') ;;
      *)
        read -r count md5 multiset < <(digest "$out")
        if [ -n "${have[samsort]+x}" ] && { [ "$tool" = samsort ] || [ "$quick" = 0 ]; }; then
          if "$samsort" verify -@ "$threads" --order "$order" "$out" > /dev/null 2> "$work/verify.err"; then
            verify=ok
          else
            verify=fail
            [ "$tool" = samsort ] && { log "samsort verify failed:"; cat "$work/verify.err" >&2; }
          fi
        fi
        if [ "$tool" = samsort ] && [ -s "$work/stats.json" ]; then
          extra=$(python3 "$here/report.py" stats "$work/stats.json")
        fi ;;
    esac
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$dataset" "$records" "$threads" "$budget" "$level" "$order" "$tool" "$run" "$wall" "$user" \
    "$sys" "$rss" "$rc" "$count" "$md5" "$multiset" "$verify" "$extra" "${CMD[*]}" >> "$tsv"
  log "run $run/$runs $dataset $tool $order -@$threads ${budget}MiB l$level: ${wall} s, ${rss} MiB${count:+, $count records}"
  rm -rf "$tmp" "$out" "$out.bai"
}

# --- the runs
for input in "$@"; do
  [ -s "$input" ] || { echo "no such BAM: $input" >&2; exit 1; }
  input=$(cd "$(dirname "$input")" && pwd)/$(basename "$input")
  dataset=$(basename "$input" .bam)
  threads=${GROUP_KEYS[0]%%|*}
  log "$dataset: counting and hashing the input"
  read -r records _ in_multiset < <(digest "$input")
  made="?"
  manifest=${input%.bam}
  manifest=${manifest%.aligner}
  manifest=${manifest%.coord}.manifest.txt
  if [ -s "$manifest" ]; then
    made="bench/make_data.sh -m $(sed -n 's/^mode: //p' "$manifest"), seed $(sed -n 's/^seed: //p' "$manifest") ($(basename "$manifest"))"
  fi
  printf 'dataset\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dataset" "$input" "$records" "$(stat -c %s "$input")" "$in_multiset" "$made" >> "$meta"
  for run in $(seq 1 "$runs"); do
    declare -A floor_done=()  # decompress per thread count, codec per level: once per run
    for key in "${GROUP_KEYS[@]}"; do
      IFS='|' read -r threads level <<< "$key"
      jobs=()
      [ -n "${floor_done[codec$level]+x}" ] || { jobs+=("floor:codec|-|-"); floor_done[codec$level]=1; }
      [ -n "${floor_done[dec$threads]+x}" ] || { jobs+=("floor:decompress|-|-"); floor_done[dec$threads]=1; }
      jobs+=("floor:copy|-|-")
      for job in ${GROUP_JOBS[$key]}; do
        IFS='|' read -r tool order budget <<< "$job"
        [ -n "${have[$tool]+x}" ] && supports "$tool" "$order" && jobs+=("$job")
      done
      if ((run % 2 == 0)); then  # ABBA: even runs go through the jobs backwards
        local_rev=()
        for ((i = ${#jobs[@]} - 1; i >= 0; i--)); do local_rev+=("${jobs[$i]}"); done
        jobs=("${local_rev[@]}")
      fi
      for job in "${jobs[@]}"; do
        IFS='|' read -r tool order budget <<< "$job"
        measure "$tool" "$order" "$budget" "$level" "$run"
      done
    done
    unset floor_done
  done
done
metakv load_after "$(cut -d' ' -f1-3 /proc/loadavg) (at the end)"

# --- the report
rc=0
cp "$tsv" "$meta" "$resdir/"
python3 "$here/report.py" report --tsv "$resdir/results.tsv" --meta "$resdir/results.meta.tsv" \
  --md "$resdir/RESULTS.md" --png "$resdir/results.png" --plotdir "$work/plot" --note "$note" || rc=$?
log "wrote $resdir/RESULTS.md, results.png, results.tsv, results.meta.tsv"
[ "$samsort_failed" = 0 ] || rc=1
exit "$rc"
