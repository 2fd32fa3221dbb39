#!/usr/bin/env bash
# One command for the sanitizer checks: the whole test suite built with ASan+UBSan (g++), and
# the libFuzzer targets' short runs (clang, SAMSORT_FUZZ). Run from anywhere; CI runs "all".
#
# usage: tests/run_sanitized.sh [asan|fuzz|all] [BUILD_ROOT]
#   asan   configure BUILD_ROOT/asan with -DSAMSORT_SANITIZE=ON, build, run ctest
#   fuzz   configure BUILD_ROOT/fuzz with clang++ and -DSAMSORT_FUZZ=ON, run ctest -L fuzz
#   all    both (default BUILD_ROOT: build-sanitize beside the sources)
set -euo pipefail

mode=${1:-all}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_root=${2:-"$source_dir/build-sanitize"}
jobs=$(nproc)
# Peak-RSS bounds cannot hold under ASan (shadow memory, allocation quarantine).
asan_excluded='MemoryBoundTest'

run_asan() {
  cmake -S "$source_dir" -B "$build_root/asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSAMSORT_SANITIZE=ON
  cmake --build "$build_root/asan" -j"$jobs"
  ctest --test-dir "$build_root/asan" -j2 --output-on-failure -E "$asan_excluded"
}

run_fuzz() {
  cmake -S "$source_dir" -B "$build_root/fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DSAMSORT_FUZZ=ON
  cmake --build "$build_root/fuzz" -j"$jobs" --target bgzf_block_fuzz bgzf_reader_fuzz \
    bam_stream_fuzz bam_record_fuzz
  ctest --test-dir "$build_root/fuzz" -j2 --output-on-failure -L fuzz
}

case "$mode" in
  asan) run_asan ;;
  fuzz) run_fuzz ;;
  all) run_asan && run_fuzz ;;
  *) sed -n '5,8p' "$0" >&2; exit 2 ;;
esac
