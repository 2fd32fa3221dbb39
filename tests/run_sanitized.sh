#!/usr/bin/env bash
# One command for the sanitizer checks: the whole test suite built with ASan+UBSan (g++), the
# pipeline's threaded code under ThreadSanitizer (clang), and the libFuzzer targets' short runs
# (clang, SAMSORT_FUZZ). Run from anywhere; CI runs "all".
#
# usage: tests/run_sanitized.sh [asan|tsan|fuzz|all] [BUILD_ROOT]
#   asan   configure BUILD_ROOT/asan with -DSAMSORT_SANITIZE=ON, build, run ctest
#   tsan   configure BUILD_ROOT/tsan with clang++ and -DSAMSORT_TSAN=ON; run the unit tests of
#          the ring, thread team, BGZF reader/writer, run files, run sorter and merger, and e2e
#          sorts with -@ 4 (in memory, 64M, many tiny runs with merge passes), a spilling pipe
#          sort and a spilling sort writing an index
#   fuzz   configure BUILD_ROOT/fuzz with clang++ and -DSAMSORT_FUZZ=ON, run ctest -L fuzz
#   all    all three (default BUILD_ROOT: build-sanitize beside the sources)
set -euo pipefail

mode=${1:-all}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_root=${2:-"$source_dir/build-sanitize"}
jobs=$(nproc)
# Peak-RSS bounds cannot hold under ASan (shadow memory, allocation quarantine), and ASan
# cannot start under an address-space limit (`ulimit -v`): it reserves terabytes of shadow.
# The distributed sort runs its Snakemake workflow on a few shapes only (the full matrix of
# orders and shapes runs the same code paths; it stays in the Release run).
asan_excluded='Distributed.EveryOrder|Distributed.CoordinateWithIndexForEveryShape|MemoryBoundTest|HtslibThreadsMemoryBound|CramReferenceMemoryTest|HugeRecordMemoryTest|LargeHeaderMemoryTest|LongSamLineTest|AllocationFailure|AddressSpaceLimit|MergeTest.ThousandInputs'
# The threaded pipeline's tests; TSan reports make the test binary (or the samsort it runs)
# exit non-zero, so any report fails the check.
tsan_unit_tests='OrderedRingTest.*:ThreadTeamTest.*:BgzfReaderTest.*:PipeTest.*:BgzfRoundTripTest.*'
tsan_unit_tests+=':BgzfWriterTest.*:RunSorterTest.*:ComparisonSortTest.*:MemoryRunStreamTest.*'
tsan_unit_tests+=':MergerTest.*:Codecs/RunFileTest.*:MinimiserOrderTest.*:ArenaPrefaultTest.*:SpillThreadTest.*:ReadAhead/RunMergeTest.*:RangeMergeTest.*:RunSamplesTest.*'
# ... and e2e: sorts at -@ 4, a spilling pipe sort, the final merge on several threads, and an
# index built while writing (the writer thread reads the record locations the producer queued).
tsan_e2e_tests='ThreadsByBudget/SamtoolsOrderTest.*/Threads4_*:StandardStreams.PipelineFromStdinToStdout'
tsan_e2e_tests+=':DropInCommandLines.SamtoolsCatPipeWithBaiIndexAfterSpills'
tsan_e2e_tests+=':MergeTest.IndexAndMd5WrittenWithTheOutput:WriteMd5Test.DigestOfTheWrittenFileInEveryFormatAndOrder'
tsan_e2e_tests+=':ParallelMerge.CoordinateMatchesSamtoolsAndOneThread:ParallelMerge.ToAPipe'
tsan_e2e_tests+=':ParallelMerge.IndexBuiltFromTheRangesBlocks'

run_asan() {
  cmake -S "$source_dir" -B "$build_root/asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSAMSORT_SANITIZE=ON
  cmake --build "$build_root/asan" -j"$jobs"
  ctest --test-dir "$build_root/asan" -j2 --output-on-failure -E "$asan_excluded"
}

run_tsan() {
  cmake -S "$source_dir" -B "$build_root/tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DSAMSORT_TSAN=ON
  cmake --build "$build_root/tsan" -j"$jobs" --target samsort samsort_unit_tests \
    samsort_e2e_tests
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$source_dir/tests/tsan.supp ${TSAN_OPTIONS:-}"
  "$build_root/tsan/tests/samsort_unit_tests" --gtest_filter="$tsan_unit_tests"
  "$build_root/tsan/tests/samsort_e2e_tests" --gtest_filter="$tsan_e2e_tests"
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
  tsan) run_tsan ;;
  fuzz) run_fuzz ;;
  all) run_asan && run_tsan && run_fuzz ;;
  *) sed -n '5,12p' "$0" >&2; exit 2 ;;
esac
