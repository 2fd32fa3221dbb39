// The final merge on several threads (sort/range_merge.hpp), end to end: with small runs and
// small forced ranges, every order writes exactly the records, in exactly the order, of the
// merge on one thread (and samtools' for coordinate), to a file and to a pipe; --stats says
// how many ranges and threads merged; the index built from the ranges' blocks is samtools'
// own; a non-BAM output keeps the one-thread merge.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "dropin_support.hpp"
#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kRecords = 120'000;
constexpr uint64_t kSeed = 47;

double stats_number(const std::string& json, const std::string& key) {
  std::smatch match;
  std::regex pattern("\"" + key + "\": ([0-9.]+)");
  if (!std::regex_search(json, match, pattern)) return -1;
  return std::stod(match[1]);
}

struct Sorted {
  std::string output;
  std::string json;
};

// Sorts `input` with small runs at `threads`; `extra` are further options.
Sorted sort(const ScratchDir& scratch, const std::string& input, const std::string& name,
            const std::string& threads, const std::vector<std::string>& extra) {
  Sorted sorted{scratch.file(name + ".bam"), ""};
  std::string stats = scratch.file(name + ".json");
  std::vector<std::string> args{
      "-@", threads,      "--debug-max-run-bytes", "4M", "-T", scratch.path(), "--stats", stats,
      "-o", sorted.output};
  args.insert(args.begin(), extra.begin(), extra.end());
  args.push_back(input);
  ProcessResult result = run_samsort(args);
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  sorted.json = read_text(stats);
  return sorted;
}

TEST(ParallelMerge, CoordinateMatchesSamtoolsAndOneThread) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  Sorted ranged = sort(scratch, input, "ranged", "4", {"--debug-range-bytes", "512K"});
  EXPECT_GT(stats_number(ranged.json, "merge_ranges"), 8) << ranged.json;
  EXPECT_EQ(stats_number(ranged.json, "merge_threads"), 4) << ranged.json;
  EXPECT_GT(stats_number(ranged.json, "runs_spilled"), 3) << ranged.json;
  EXPECT_TRUE(same_records_in_order(samtools_reference(input), ranged.output));
  Sorted one = sort(scratch, input, "one", "4", {"--debug-one-thread-merge"});
  EXPECT_EQ(stats_number(one.json, "merge_ranges"), 1) << one.json;
  EXPECT_TRUE(same_records_in_order(one.output, ranged.output));
  EXPECT_EQ(stats_number(one.json, "record_checksum"),
            stats_number(ranged.json, "record_checksum"));
}

TEST(ParallelMerge, EveryOrderMatchesTheOneThreadMerge) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  const std::vector<std::vector<std::string>> orders{
      {"-n"}, {"-N"}, {"--template-coordinate"}, {"-t", "RG"}, {"-M"}, {"-l", "0"}};
  for (std::size_t idx = 0; idx < orders.size(); ++idx) {
    std::string name = "order" + std::to_string(idx);
    std::vector<std::string> ranged_args = orders[idx];
    ranged_args.insert(ranged_args.end(), {"--debug-range-bytes", "256K"});
    Sorted ranged = sort(scratch, input, name + "-ranged", "3", ranged_args);
    EXPECT_GT(stats_number(ranged.json, "merge_ranges"), 8) << orders[idx][0] << ranged.json;
    std::vector<std::string> one_args = orders[idx];
    one_args.push_back("--debug-one-thread-merge");
    Sorted one = sort(scratch, input, name + "-one", "3", one_args);
    EXPECT_TRUE(same_records_in_order(one.output, ranged.output)) << orders[idx][0];
  }
}

// The minimiser orders rewrite unplaced records to their output form as they are written,
// the run kept in memory included: each range's share of that run is found before any is.
TEST(ParallelMerge, MinimiserOnUnplacedRecords) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed, {"--unmapped-fraction", "1"});
  for (const char* order : {"-M", "--minimiser-group-names"}) {
    std::vector<std::string> args{"-M"};
    if (std::string(order) != "-M") args.push_back(order);
    std::vector<std::string> ranged_args = args;
    ranged_args.insert(ranged_args.end(), {"--debug-range-bytes", "256K"});
    Sorted ranged = sort(scratch, input, "ranged", "4", ranged_args);
    std::vector<std::string> one_args = args;
    one_args.push_back("--debug-one-thread-merge");
    Sorted one = sort(scratch, input, "one", "4", one_args);
    EXPECT_TRUE(same_records_in_order(one.output, ranged.output)) << order;
    if (std::string(order) == "-M") {
      EXPECT_GT(stats_number(ranged.json, "merge_ranges"), 8) << ranged.json;
    }
  }
}

// Records above config::kMergeWholeRecordMaxBytes (1 MiB) are held by their readers as key
// copies and read back whole when written: in a worker, through its own whole-record buffer.
// Samples skip them (their key copies are kept only up to 4 KiB) but not their neighbours.
TEST(ParallelMerge, HugeRecordsAmongShortOnes) {
  ScratchDir scratch;
  std::string sam = scratch.file("huge.sam");
  std::string input = scratch.file("huge.bam");
  ProcessResult made = run_shell(
      "awk 'BEGIN { srand(11); print \"@HD\\tVN:1.6\\tSO:unsorted\"; "
      "print \"@SQ\\tSN:c1\\tLN:5000000\"; bases = \"ACGTTGCAAGCT\"; "
      "while (length(bases) < 1000000) bases = bases bases; "
      "for (r = 0; r < 3000; r++) { len = (r % 300 == 7) ? 900000 : 150; "
      "seq = substr(bases, 1 + int(rand() * 12), len); "
      "printf \"read%05d\\t0\\tc1\\t%d\\t60\\t%dM\\t*\\t0\\t0\\t%s\\t*\\n\", "
      "r, 1 + int(rand() * 4000000), len, seq } }' > " +
      sam + " && samtools view --no-PG -b -o " + input + " " + sam);
  ASSERT_TRUE(made.exited_ok()) << made.describe();
  Sorted ranged = sort(scratch, input, "ranged", "3", {"--debug-range-bytes", "1M"});
  EXPECT_GT(stats_number(ranged.json, "merge_ranges"), 2) << ranged.json;
  Sorted one = sort(scratch, input, "one", "3", {"--debug-one-thread-merge"});
  EXPECT_TRUE(same_records_in_order(one.output, ranged.output));
}

TEST(ParallelMerge, ToAPipe) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  std::string output = scratch.file("piped.bam");
  ProcessOptions options;
  options.stdout_path = output;
  ProcessResult result =
      run_samsort({"-@", "4", "--debug-max-run-bytes", "4M", "--debug-range-bytes", "512K", "-T",
                   scratch.path(), "-o", "-", input},
                  options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(same_records_in_order(samtools_reference(input), output));
}

// With --write-index the ranges' blocks carry their records' starts and locations: the index
// is byte-identical to samtools' index of the same file (BAI and CSI).
TEST(ParallelMerge, IndexBuiltFromTheRangesBlocks) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  const std::vector<std::string> regions{"chr1:1-1000000", "chr2:10000000-60000000", "*"};
  Sorted csi = sort(scratch, input, "csi", "4", {"--debug-range-bytes", "512K", "--write-index"});
  EXPECT_GT(stats_number(csi.json, "merge_ranges"), 8) << csi.json;
  EXPECT_TRUE(same_records_in_order(samtools_reference(input), csi.output));
  EXPECT_TRUE(index_matches_samtools(csi.output, csi.output + ".csi", IndexKind::kCsi, regions,
                                     scratch.subdir("csi-check")));
  std::string bai = scratch.file("bai.bam");
  ProcessResult result = run_samsort({"-@", "3", "--debug-max-run-bytes", "4M",
                                      "--debug-range-bytes", "256K", "--write-index", "-T",
                                      scratch.path(), "-o", bai + "##idx##" + bai + ".bai", input});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(index_matches_samtools(bai, bai + ".bai", IndexKind::kBai, regions,
                                     scratch.subdir("bai-check")));
}

TEST(ParallelMerge, SamKeepsTheOneThreadMerge) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  Sorted sam = sort(scratch, input, "sam", "4", {"--debug-range-bytes", "512K", "-O", "sam"});
  EXPECT_EQ(stats_number(sam.json, "merge_ranges"), 1) << sam.json;
}

}  // namespace
}  // namespace samsort::e2e
