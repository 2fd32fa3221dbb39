#!/usr/bin/env bash
# Makes bench/SPILL.md: the spill codec measurement (bench/spill_codec.cpp on the first set's
# coordinate-sorted BAM: spilled runs hold sorted records) and the temporary disk and wall time
# of samsort's run codecs beside samtools on each set (bench/temp_compare.sh; the first set is
# also fed through a pipe, for the longest blocked write).
#
# usage: bench/spill_results.sh [-@ THREADS] [-m MEMORY] [-r RUNS] NAME.aligner.bam...
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
args=()
while getopts "@:m:r:" opt; do
  case $opt in
    @ | m | r) args+=("-$opt" "$OPTARG") ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($# > 0)) || { echo "usage: spill_results.sh [-@ N] [-m MEM] [-r RUNS] set.aligner.bam..." >&2; exit 2; }
codec_bin=$(mktemp /tmp/spill_codec.XXXXXX)
trap 'rm -f "$codec_bin"' EXIT
g++ -O2 -std=c++17 -o "$codec_bin" "$here/spill_codec.cpp" -ldeflate -lzstd -llz4
sorted=${1%.aligner.bam}.coord.bam
out=$here/SPILL.md
{
  echo "# Spilled runs: codec, temporary disk and time"
  echo
  echo "Made by \`bench/spill_results.sh ${args[*]} $*\` on $(date -u +%FT%TZ), git $(git -C "$repo" rev-parse --short HEAD),"
  echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB,"
  echo "zstd $(dpkg-query -W -f '${Version}' libzstd1), libdeflate $(dpkg-query -W -f '${Version}' libdeflate0), lz4 $(dpkg-query -W -f '${Version}' liblz4-1), $(samtools --version | head -1)."
  echo
  echo "## Codecs on 64 KiB blocks of sorted records (one thread)"
  echo
  echo "\`spill_codec $(basename "$sorted")\`: temp bytes per payload byte (ratio) and MB/s of payload per core."
  echo
  echo "| codec | ratio | compress MB/s | decompress MB/s |"
  echo "|---|---|---|---|"
  "$codec_bin" "$sorted" | awk '/^codec=/ {
      split($0, f, /[ =]/); printf "| %s | %s | %s | %s |\n", f[2], f[4], f[6], f[8] }'
  pipe=(-p)
  for input in "$@"; do
    echo
    echo "## $(basename "$input")"
    echo
    "$here/temp_compare.sh" "${args[@]}" "${pipe[@]}" "$input"
    pipe=()
  done
} >"$out"
echo "wrote $out"
